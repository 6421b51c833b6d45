import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorBodyDto {
  @ApiProperty({ example: '3f1c2a9e-7c1b-4d8e-9f3a-2b1c0d9e8f7a' }) request_id!: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code' }) code!: string;
  @ApiProperty({ example: 'Request validation failed' }) message!: string;
  @ApiPropertyOptional({
    description: 'Per-field problems for validation errors ([{field, messages}]), or extra context (an object), or null',
    nullable: true,
    oneOf: [{ type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, messages: { type: 'array', items: { type: 'string' } } } } }, { type: 'object' }],
  })
  details!: unknown;
  @ApiProperty({ example: '/api/orders' }) path!: string;
  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' }) timestamp!: string;
}

/** The one error shape every HTTP app answers with. */
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDto }) error!: ErrorBodyDto;
}
