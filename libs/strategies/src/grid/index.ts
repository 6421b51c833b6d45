export * from './grid.settings';
export { rangeLevelPrice, createAdaptiveLevelsState, updateAdaptiveLevels, expandAdaptiveLadder, ADAPTIVE_COLUMNS } from './grid.levels';
export type { AdaptiveLevelsState } from './grid.levels';
export { createRegimeState, updateRegime } from './grid.regime';
export type { RegimeState } from './grid.regime';
export { SLOT_STATUSES, canMoveSlot, IllegalSlotTransitionError } from './grid-slot.state';
export type { SlotStatus, GridLeg, GridSlot } from './grid-slot.state';
export { gridStrategy, gridLevelPrice } from './grid.strategy';
export type { GridState, GridStatus, GridMetrics, GridLegPosition, RetiredOrder, AdaptiveIndicators, GridManualStops } from './grid.strategy';
