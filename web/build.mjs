#!/usr/bin/env node
// Builds the dashboard into web/dist with Vite. Run by `npm install` (prepare) and, when web/dist is missing,
// by `npm start`. `--if-missing` skips the build when web/dist/index.html exists. Without Vite (an install that
// left out the dev dependencies) it says so and exits 0: the server then answers `/` with how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const index = fileURLToPath(new URL('./dist/index.html', import.meta.url));

if (process.argv.includes('--if-missing') && existsSync(index)) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch {
  console.error('dashboard: Vite is not installed (dev dependencies left out); skipping the web build');
  process.exit(0);
}
const started = Date.now();
try {
  await vite.build({ configFile: `${here}vite.config.ts`, logLevel: 'warn' });
} catch (e) {
  console.error(`dashboard: build failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
console.error(`dashboard: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
