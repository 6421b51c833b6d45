export * from './position.math';
export * from './position.entity';
export * from './positions.repository';
export * from './positions.service';
export * from './positions.module';
export * from './http/positions-http.module';
export * from './http/dto/positions.dto';
