// @tb/backtest-runs — stored backtest runs: entity, repository, executor (worker), service and the /api/backtests routes.
// The engine and the report are @tb/backtest (no Nest), which the CLI and the sweep workers load alone.
export * from './backtest-run.entity';
export * from './backtest-run.request';
export * from './backtest-runs.errors';
export * from './backtest-runs.repository';
export * from './backtest-run.executor';
export * from './backtest-runs.service';
export * from './backtest-runs.controller';
export * from './dto/create-backtest.request.dto';
export * from './dto/list-backtests.query.dto';
export * from './dto/backtest-run.response.dto';
export * from './backtest-runs.module';
