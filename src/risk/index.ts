// Risk models: GLM and gradient boosting for claim frequency/severity, pricing metrics, explanations,
// versioned model artifacts and the model-registry port.
export {
  type Contribution,
  type Explanation,
  explain,
  FORMAT_VERSION,
  inputColumns,
  margins,
  type ModelArtifact,
  parseArtifact,
  predict,
  serializeArtifact,
  type TargetSpec,
  type TrainingInfo,
} from './artifact.ts';
export * from './data/index.ts';
export { evaluateModel, type ModelMetrics } from './evaluate.ts';
export * as gbm from './gbm/index.ts';
export * as glm from './glm/index.ts';
export {
  dSquared,
  type Family,
  gini,
  type LiftBand,
  type LorenzCurve,
  liftTable,
  lorenzCurve,
  meanDeviance,
  poissonDevianceX100,
  psi,
  unitDeviance,
} from './metrics.ts';
export { createRng, permutation, type Rng } from './prng.ts';
export { InMemoryModelRegistry, type ModelRegistry, type ModelVersionInfo, versionInfo } from './registry.ts';
export {
  gbmFeaturesFromFeatures,
  glmTermsFromFeatures,
  type ParsedFeature,
  parseFeatureList,
} from './spec.ts';
export { type TrainOptions, type TrainResult, trainModel } from './train.ts';
export * as telematics from './telematics/index.ts';
export type { TelematicsInfo } from './artifact.ts';
export { TELEMATICS_MODEL_NAME, trainTelematicsModel } from './telematics/index.ts';
