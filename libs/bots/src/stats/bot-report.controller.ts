import { Controller, Get, Injectable, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { reportContentSecurityPolicy } from '@tb/backtest';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import type { BotStrategyName } from '../bot.entity';
import { BotReportService } from './bot-report.service';

/** GET /api/{hyperrsi|grid}/bots/:id/report: the backtest's HTML report for a live or paper bot of that strategy. */
@Injectable()
abstract class BotReportController {
  protected abstract readonly strategy: BotStrategyName;

  constructor(private readonly reports: BotReportService) {}

  @Get(':id/report')
  @Scopes('read')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The self-contained HTML report of the backtest (candles, entries/exits, equity, drawdown, metrics, trades) for this bot' })
  @ApiOkResponse({ description: 'text/html page', schema: { type: 'string' } })
  @ApiErrorResponses(400, 401, 403, 404)
  async report(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    const html = await this.reports.html(userId, this.strategy, id);
    void res.header('Content-Type', 'text/html; charset=utf-8'); // only on success: errors stay JSON
    void res.header('Content-Security-Policy', reportContentSecurityPolicy(html));
    return html;
  }
}

@ApiTags('hyperrsi bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/hyperrsi/bots')
export class HyperrsiBotReportController extends BotReportController {
  protected readonly strategy = 'hyperrsi' as const;
}

@ApiTags('grid bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/grid/bots')
export class GridBotReportController extends BotReportController {
  protected readonly strategy = 'grid' as const;
}
