// Builds the dashboard into web/dist, which the server (src/api/web.ts) serves at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: { format: 'es' },
  server: {
    // `npx vite web` during development: the API runs on the platform's port.
    proxy: { '/v1': 'http://127.0.0.1:8080', '/dashboard-config.json': 'http://127.0.0.1:8080' },
  },
});
