import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const summary = 'run a benchmark (bench/NAME.ts) and write bench/results/NAME.json';

const BENCH_DIR = new URL('../../../bench/', import.meta.url);

export async function run(argv: string[]): Promise<number> {
  const names = readdirSync(fileURLToPath(BENCH_DIR))
    .filter((f) => f.endsWith('.ts') && f !== 'lib.ts')
    .map((f) => f.slice(0, -3));
  const [name, ...rest] = argv;
  if (!name || name === '--help') {
    process.stdout.write(`usage: openubi bench NAME [options]\nbenchmarks: ${names.join(', ')}\n`);
    return name ? 0 : 2;
  }
  const url = new URL(`${name}.ts`, BENCH_DIR);
  if (!existsSync(fileURLToPath(url))) {
    process.stderr.write(`openubi bench: no benchmark '${name}'. Known: ${names.join(', ')}\n`);
    return 2;
  }
  const mod = (await import(url.href)) as { main?: (argv: string[]) => Promise<number | undefined> };
  if (typeof mod.main !== 'function') {
    process.stderr.write(`openubi bench: bench/${name}.ts exports no main()\n`);
    return 1;
  }
  return (await mod.main(rest)) ?? 0;
}
