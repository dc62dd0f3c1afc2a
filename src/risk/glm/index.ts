export { aic, deviance, variance, workingWeight } from './families.ts';
export { type IrlsFit, type IrlsOptions, irls, linearPredictor } from './fit.ts';
export { cholesky, choleskyInverse, choleskySolve, lgamma } from './linalg.ts';
export {
  fitGlm,
  type GlmCoefficient,
  type GlmModel,
  type GlmOptions,
  glmContributions,
  glmInputColumns,
  glmMargin,
  type RelativityRow,
  relativities,
  type TermContribution,
} from './model.ts';
export { buildDesign, type Design } from './design.ts';
export { fitTerms, splineBasis, type TermEncoding, type TermSpec } from './terms.ts';
