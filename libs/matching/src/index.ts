export * from './matching.types';
export * from './matching.engine';
