// OpenUBI pricing engine: rating plans as data, PHYD/PAYD premiums in integer cents with explanations,
// statements, renewal caps, safety score, fairness and monotonicity reports. Pure functions only.
export * from './bands.ts';
export * from './behaviour.ts';
export * from './credibility.ts';
export * from './defaults.ts';
export * from './fairness.ts';
export * from './jurisdictions.ts';
export * from './money.ts';
export * from './payd.ts';
export * from './phyd.ts';
export { MILE_M, parseIsoDate, type PricingPlan, type CompiledFactor, UNIT_MM } from './plan.ts';
export * from './quote.ts';
export * from './reasons.ts';
export * from './renewal.ts';
export * from './schema.ts';
export * from './score.ts';
export * from './smoothing.ts';
export * from './types.ts';
export * from './validate.ts';
export * from './whatif.ts';
