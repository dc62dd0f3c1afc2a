// The composition root: chooses the adapters from the configuration and starts the roles asked for.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Bus, createJetStreamBus, createPostgresBus, pruneBusLog } from '../bus/index.ts';
import type { Config } from '../config/index.ts';
import { createGateway, type Gateway } from '../ingest/gateway.ts';
import { registerIngestRoutes } from '../ingest/http.ts';
import {
  createOsmAndServer,
  createTeltonikaServer,
  type DeviceDirectory,
  type DurableSink,
  type OsmAndServer,
  type TeltonikaServer,
} from '../ingest/protocols/index.ts';
import { type PlatformMetrics, platformMetrics } from '../ops/metrics.ts';
import {
  createDb,
  createDeviceAuthenticator,
  type Db,
  type EmbeddedDatabase,
  findDeviceByExternalId,
  loadActiveRoadNetwork,
  loadContextSources,
  randomSecret,
  runRetention,
  settingOrCreate,
  migrate,
  startEmbeddedPostgres,
} from '../store/index.ts';
import { type PipelinePort, startWorker, type Worker } from '../worker/index.ts';
import { contextEnricher, pipelinePort, speedLimitsFrom } from '../worker/pipeline.ts';
import { startWebhookDispatcher, type WebhookDispatcher } from '../services/webhook-dispatcher.ts';
import { buildApp } from './app.ts';
import { reconcileDriverRisk } from '../services/rescoring.ts';
import { platformWorkerHooks } from './trip-hooks.ts';
import { createRateLimiter } from './rate-limit.ts';
import { ensureAdmin, registerV1Routes } from './v1/index.ts';
import { registerWeb } from './web.ts';
import { ensureRoadNetwork, fillDemo } from './demo.ts';

export interface Platform {
  url: string;
  config: Config;
  db: Db;
  databaseUrl: string;
  bus: Bus;
  app: FastifyInstance;
  gateway: Gateway | null;
  /** Bound ports of the device-protocol servers (null without the gateway role). */
  protocolPorts: { teltonika: number; osmand: number } | null;
  worker: Worker | null;
  metrics: PlatformMetrics;
  logger: Logger;
  /** Graceful: stops taking requests, finishes in-flight batches, commits, then closes connections. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** The pipeline the worker runs; default: src/pipeline with speed limits from the stored road network. */
  pipeline?: PipelinePort;
}

async function openDatabase(
  config: Config,
  logger: Logger,
): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    logger,
  });
  return { url: embedded.url, embedded };
}

async function maintenance(db: Db, config: Config, logger: Logger): Promise<void> {
  const r = await runRetention(db, Date.now(), config);
  if (r.rawPartitionsDropped.length)
    logger.info({ dropped: r.rawPartitionsDropped }, 'raw batches past retention dropped');
  if (r.tracesCoarsened) logger.info({ trips: r.tracesCoarsened }, 'precise traces past retention coarsened');
  await pruneBusLog(db, 3_600_000);
  if (config.roles.has('worker')) await reconcileDriverRisk(db, logger);
}

export async function startPlatform(
  config: Config,
  logger: Logger,
  opts: PlatformOptions = {},
): Promise<Platform> {
  const { url: databaseUrl, embedded } = await openDatabase(config, logger);
  const db = createDb(databaseUrl, { max: 30 });
  await migrate(db, logger);
  await maintenance(db, config, logger);
  const maintenanceTimer = setInterval(
    () =>
      maintenance(db, config, logger).catch((e) =>
        logger.warn({ err: (e as Error).message }, 'maintenance failed'),
      ),
    3_600_000,
  );
  maintenanceTimer.unref();

  const bus = config.natsUrl
    ? await createJetStreamBus(config.natsUrl, {
        partitions: config.busPartitions,
        replicas: config.natsReplicas,
      })
    : createPostgresBus(db, databaseUrl, { partitions: config.busPartitions });
  const metrics = platformMetrics();
  const app = buildApp({
    logger,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    readiness: {
      database: async () => (await db.query('SELECT 1')).rowCount === 1,
      bus: () => bus.ready(),
    },
  });

  let gateway: Gateway | null = null;
  let teltonika: TeltonikaServer | null = null;
  let osmand: OsmAndServer | null = null;
  if (config.roles.has('gateway')) {
    const gw = createGateway({ bus, metrics, maxPendingBatches: config.maxPendingBatches });
    gateway = gw;
    const deviceLimit =
      config.rateLimitDevicePerMin > 0 ? createRateLimiter(config.rateLimitDevicePerMin) : null;
    registerIngestRoutes(app, {
      gateway: gw,
      metrics,
      authenticate: createDeviceAuthenticator(db),
      limitDevice: (id) => deviceLimit?.take(id) ?? null,
    });
    // Device protocols feed the same gateway: their batches become durable the same way as v1 batches.
    const directory: DeviceDirectory = {
      lookup: async (protocol, externalId) => {
        const d = await findDeviceByExternalId(db, protocol, externalId);
        return d ? { deviceId: d.id } : null;
      },
    };
    const sink: DurableSink = {
      async write(batch) {
        const r = await gw.accept([batch]);
        if (!r.ok) throw new Error(r.error.message);
        return { accepted: r.accepted, duplicate: r.duplicate };
      },
    };
    teltonika = createTeltonikaServer({ directory, sink, logger: logger.child({ protocol: 'teltonika' }) });
    osmand = createOsmAndServer({ directory, sink, logger: logger.child({ protocol: 'osmand' }) });
    await teltonika.listen(config.teltonikaPort, config.host);
    await osmand.listen(config.osmandPort, config.host);
  }

  let webhooks: WebhookDispatcher | null = null;
  if (config.roles.has('api')) {
    const jwtSecret = config.jwtSecret ?? (await settingOrCreate(db, 'jwt_secret', randomSecret));
    registerV1Routes(app, {
      db,
      logger,
      jwtSecret,
      webhookSecretKey: config.webhookSecretKey,
      rateLimits: {
        userPerMin: config.rateLimitUserPerMin,
        apiKeyPerMin: config.rateLimitApiKeyPerMin,
        anonymousPerMin: config.rateLimitLoginPerMin,
      },
    });
    // Webhook deliveries follow the domain-event outbox; safe to run in every API process.
    webhooks = startWebhookDispatcher({
      db,
      logger,
      secretKey: config.webhookSecretKey,
      maxAttempts: config.webhookMaxAttempts,
    });
    // The dashboard (web/dist) at `/`; it talks to the API above.
    registerWeb(app, { client: { mapTileUrl: config.mapTileUrl } });
    if (config.adminEmail && config.adminPassword) {
      const r = await ensureAdmin(db, {
        tenantId: 'default',
        email: config.adminEmail,
        password: config.adminPassword,
      });
      if (r.created) logger.info({ email: r.user.email }, 'administrator created');
    }
  }

  let worker: Worker | null = null;
  let contextTimer: NodeJS.Timeout | null = null;
  if (config.roles.has('worker')) {
    let pipeline = opts.pipeline;
    if (!pipeline) {
      // The demo drives the Andorra network: import it before the worker starts so its trips get limits.
      if (config.demo) await ensureRoadNetwork(db, logger);
      const roads = await loadActiveRoadNetwork(db);
      if (roads) {
        logger.info(
          { network: roads.info.name, edges: roads.network.edges.length },
          'speed limits from the road network',
        );
      } else
        logger.warn(
          'no road network stored: trips get no speed limits or road classes (openubi import-osm FILE)',
        );
      pipeline = pipelinePort(roads ? { speedLimits: speedLimitsFrom(roads.network) } : {});
    }
    // Context data imported later (openubi import-context) is picked up within five minutes.
    let context = await loadContextSources(db);
    if (!context.weather && !context.areaRisk) {
      logger.warn('no weather or area-risk data imported: trips get darkness only (openubi import-context)');
    }
    contextTimer = setInterval(() => {
      loadContextSources(db).then(
        (c) => {
          context = c;
        },
        (e) => logger.warn({ err: (e as Error).message }, 'context reload failed'),
      );
    }, 300_000);
    contextTimer.unref();
    worker = startWorker({
      db,
      bus,
      pipeline,
      logger,
      metrics,
      concurrency: config.workerConcurrency,
      idleCloseMs: config.idleCloseMs,
      enrichTrip: contextEnricher(() => context),
      locationDecimals: config.locationPrecisionDecimals,
      hooks: platformWorkerHooks(db, logger),
    });
  }

  const address = await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      url: address,
      roles: [...config.roles],
      database: embedded ? 'embedded' : 'server',
      bus: bus.kind,
    },
    'OpenUBI is up',
  );

  const demoAbort = new AbortController();
  if (config.demo && gateway) {
    const base = address.replace('0.0.0.0', '127.0.0.1');
    fillDemo(db, base, logger, {
      drivers: config.demoDrivers,
      days: config.demoDays,
      seed: 'openubi-demo',
      signal: demoAbort.signal,
      credentialsFile: join(config.dataDir, 'demo-credentials.txt'),
    }).catch((e) => logger.error({ err: (e as Error).message }, 'demo: could not start'));
  }

  let stopping: Promise<void> | null = null;
  return {
    url: address.replace('0.0.0.0', '127.0.0.1'),
    config,
    db,
    databaseUrl,
    bus,
    app,
    gateway,
    protocolPorts:
      teltonika && osmand ? { teltonika: teltonika.address()!.port, osmand: osmand.address()!.port } : null,
    worker,
    metrics,
    logger,
    stop() {
      stopping ??= (async () => {
        clearInterval(maintenanceTimer);
        if (contextTimer) clearInterval(contextTimer);
        demoAbort.abort();
        // Stop taking data first; in-flight requests and frames finish and become durable before the bus closes.
        await Promise.all([app.close(), teltonika?.close(), osmand?.close()]);
        await webhooks?.stop();
        await worker?.stop();
        await bus.close();
        await db.close();
        await embedded?.stop();
        logger.info('OpenUBI stopped');
      })();
      return stopping;
    },
  };
}
