export * from './bb-state.indicator';
export * from './trend-state.indicator';
