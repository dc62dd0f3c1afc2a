export { createDb, type Db, type Queryable } from './db.ts';
export { embeddedUrl, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.ts';
export { migrate, listMigrations } from './migrate.ts';
export {
  coarsenOldTraces,
  coarsenTrace,
  dropExpiredRawPartitions,
  ensureRawPartitions,
  reduceStoredPrecision,
  type RetentionReport,
  runRetention,
} from './retention.ts';
export * from './devices.ts';
export { saveOutputs } from './trips.ts';
export { edgesNear, loadActiveRoadNetwork, saveRoadNetwork, type StoredNetworkInfo } from './roads.ts';
export { randomSecret, settingOrCreate } from './settings.ts';
export { importContextCsv, loadContextSources, type ContextKind } from './context.ts';
export { createPgModelRegistry, type PgModelRegistry } from './models.ts';
