// The telematics frequency model: inputs in pricing's behaviour units, training with non-negative behaviour
// effects, and scoring for the driver-risk service.
export * from './features.ts';
export * from './score.ts';
export * from './train.ts';
