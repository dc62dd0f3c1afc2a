// Starts the real platform in this process on a fresh database, for integration tests.
import { type Platform, startPlatform } from '../../src/api/platform.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/config/logger.ts';
import { ensureTenant, registerDevice, type RegisteredDevice } from '../../src/store/index.ts';
import { pipelinePort } from '../../src/worker/pipeline.ts';
import { freshDatabase, type PgTarget, type TestDatabase } from './env.ts';

export interface TestPlatform {
  platform: Platform;
  url: string;
  device: RegisteredDevice;
  registerDevice(id?: string): Promise<RegisteredDevice>;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  target: PgTarget,
  env: Record<string, string> = {},
): Promise<TestPlatform> {
  const tdb: TestDatabase = await freshDatabase(target);
  const loaded = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: tdb.url,
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const platform = await startPlatform(loaded.config, createLogger(loaded.config.logLevel), {
    pipeline: pipelinePort(),
  });
  await ensureTenant(platform.db, 'default', 'Default insurer');
  const reg = (id?: string) =>
    registerDevice(platform.db, { tenantId: 'default', kind: 'phone', ...(id ? { id } : {}) });
  const device = await reg();
  return {
    platform,
    url: platform.url,
    device,
    registerDevice: reg,
    async stop() {
      await platform.stop();
      await tdb.drop();
    },
  };
}

/** The real platform on an existing database (restart tests), quiet, on free ports; env adds settings. */
export async function startOn(url: string, env: Record<string, string> = {}): Promise<Platform> {
  const c = loadConfig({
    PORT: '0',
    OSMAND_PORT: '0',
    TELTONIKA_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
    DATABASE_URL: url,
    ...env,
  });
  if (!c.ok) throw new Error(c.errors.join('; '));
  return startPlatform(c.config, createLogger(c.config.logLevel));
}
