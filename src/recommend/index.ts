/**
 * The recommender's public face: other areas (player, dashboards, server start-up) import from here.
 */
export { adminModelsRouter } from './routes.js';
export { startTraining, getJob, jobFinished, onJobEvent, type TrainRequest, type TrainingJob, type JobEvent, type JobStatus, type PromotePolicy } from './jobs.js';
export {
  listVersions,
  getVersion,
  promoteVersion,
  rollbackVersion,
  activeVersionId,
  servingVersionId,
  type VersionSummary,
  type VersionStatus,
  type ModelScope,
  type EpochPoint,
  type PromotionDecision,
} from './store.js';
export { refreshActiveModel, refreshAllServed, servedModel } from './predict.js';
export { predictorFor, type Predictor } from './predictor.js';
export { predictForLearner, predictSuccess, type PredictionAnswer } from './service.js';
export { itemRef, interactionsFromHistory, isGraded } from './data/activity.js';
export { MODEL_NAMES, type ModelName } from './models/types.js';
export { recommendNext, recordFollowed, pathwayDecision, type Recommendation } from './next.js';
export { decide, POLICY_VERSION, DEFAULT_POLICY_SETTINGS, type PolicySettings, type Decision } from './policy.js';
export { retrainActive, startRetrainTimer } from './retrain.js';
export { ensureDemoModel, seedDemoLearning } from './demo.js';
