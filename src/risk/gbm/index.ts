export {
  binCount,
  binFrame,
  type FeatureBinning,
  fitBinning,
  type GbmFeatureSpec,
  quantileCuts,
} from './binning.ts';
export {
  DEFAULT_GBM_PARAMS,
  type GbmData,
  type GbmModel,
  type GbmParams,
  type GbmProgress,
  type GbmTrainInput,
  trainGbm,
} from './boost.ts';
export { explainGbm, type GbmExplanation, gbmInputColumns, gbmMargin } from './model.ts';
export { evaluate, gradients, initialMargin, inverseLink, type Objective, rowLoss } from './objectives.ts';
export { addTreeToMargin, type CompiledTree, compileTree, leafOf } from './predict.ts';
export { treeConditionalExpectation, treeExpectedValue, treeShap } from './shap.ts';
export type { Tree } from './tree.ts';
