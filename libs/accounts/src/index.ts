export * from './exchange-account.entity';
export * from './exchange-accounts.repository';
export * from './exchange-accounts.service';
export * from './exchange.factory';
export * from './accounts.module';
export * from './dto/exchange-account.dto';
