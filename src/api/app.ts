// The HTTP server: errors as application/problem+json, operations routes, and whatever routes the roles add.
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import type { Logger } from 'pino';
import type { PlatformMetrics } from '../ops/metrics.ts';

export interface AppDeps {
  logger: Logger;
  metrics: PlatformMetrics;
  maxBodyBytes: number;
  /** Checks for /ready: name → reachable. */
  readiness: Record<string, () => Promise<boolean>>;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: deps.maxBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
  });

  // One place maps errors to HTTP: every error a client sees is problem+json naming what was wrong.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'payload_too_large'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported_media_type'
          : error.validation
            ? 'invalid_request'
            : status === 400
              ? 'malformed_request'
              : status >= 500
                ? 'internal_error'
                : 'error';
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    deps.metrics.rejects.inc({ reason: code });
    const message =
      code === 'payload_too_large'
        ? `the request body is larger than ${deps.maxBodyBytes} bytes; send smaller batches`
        : status >= 500
          ? 'internal error; the request was not applied'
          : error.message;
    return reply
      .code(status)
      .type('application/problem+json')
      .send({ type: `https://openubi.dev/problems/${code}`, title: message, status, code });
  });

  app.addHook('onResponse', (req, reply, done) => {
    if (reply.statusCode >= 400) {
      req.log.info(
        { method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
    }
    done();
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(deps.readiness))
      checks[name] = await check().catch(() => false);
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(await deps.metrics.registry.render()),
  );
  return app;
}
