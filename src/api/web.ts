// Serves the built dashboard (web/dist) at `/`: hashed assets cached for a year, every other page path answers
// index.html (the app routes in the browser), and unknown API paths answer problem+json 404s.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface WebOptions {
  /** The Vite build output (index.html + assets/). */
  distDir?: string;
  /** Settings the browser app reads at start (GET /dashboard-config.json). */
  client?: { mapTileUrl: string | null };
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Paths the server owns: never answered with the app's index.html.
const API_PREFIXES = ['/v1/', '/health', '/ready', '/metrics'];
const isApiPath = (path: string): boolean =>
  API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OpenUBI</title></head>
<body><main><h1>OpenUBI dashboard not built</h1><p>The API is running. Build the dashboard with
<code>npm run build:web</code> (needs the dev dependencies: <code>npm install</code>) and reload.</p></main></body></html>`;

function problem(reply: FastifyReply, req: FastifyRequest) {
  return reply
    .code(404)
    .type('application/problem+json')
    .send({
      type: 'https://openubi.dev/problems/route_not_found',
      title: `no route ${req.method} ${req.url.split('?')[0]}; see docs/api.md`,
      status: 404,
      code: 'route_not_found',
    });
}

/** A file under `root` for a URL path, or null (missing, a directory, or outside root). */
function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

export function registerWeb(app: FastifyInstance, opts: WebOptions = {}): void {
  const root = resolve(opts.distDir ?? DEFAULT_WEB_DIST);
  const indexPath = join(root, 'index.html');
  const clientConfig = JSON.stringify(opts.client ?? { mapTileUrl: null });
  // index.html is read per request while it is small, so a rebuild shows without a restart.
  const index = (): string | null => (existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : null);

  app.get('/dashboard-config.json', async (_req, reply) =>
    reply.header('cache-control', 'no-cache').type('application/json').send(clientConfig),
  );

  const sendIndex = (reply: FastifyReply) => {
    const html = index();
    return reply
      .code(html ? 200 : 503)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(html ?? NOT_BUILT);
  };

  app.get('/', async (_req, reply) => sendIndex(reply));

  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(path)) return problem(reply, req);
    const file = path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path) ? fileUnder(root, path) : null;
    if (file) {
      // Vite puts a content hash in every asset name: safe to cache for good.
      const immutable = path.startsWith('/assets/');
      return reply
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .send(createReadStream(file));
    }
    // A missing asset is a 404; any other page path is the app's to route.
    if (path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path)) return problem(reply, req);
    return sendIndex(reply);
  });
}
