// The openubi command line: one file per command in ./commands, loaded on demand.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CommandModule {
  /** One line for `openubi help`. */
  summary: string;
  /** Runs the command; returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

const COMMANDS = [
  'start',
  'simulate',
  'process',
  'decode',
  'train',
  'import-osm',
  'import-context',
  'register-device',
  'create-user',
  'export',
  'retention',
  'dead-letters',
  'bench',
] as const;

function commandPath(name: string): URL {
  return new URL(`./commands/${name}.ts`, import.meta.url);
}

async function load(name: string): Promise<CommandModule | null> {
  const url = commandPath(name);
  if (!existsSync(fileURLToPath(url))) return null;
  return (await import(url.href)) as CommandModule;
}

async function help(): Promise<void> {
  const lines = ['usage: openubi <command> [options]', '', 'commands:'];
  for (const name of COMMANDS) {
    const mod = await load(name);
    if (mod) lines.push(`  ${name.padEnd(16)} ${mod.summary}`);
  }
  lines.push('', 'Run `openubi <command> --help` for a command’s options.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await help();
    return name ? 0 : 2;
  }
  const mod = await load(name);
  if (!mod) {
    process.stderr.write(`openubi: unknown command '${name}'. Run 'openubi help' for the list.\n`);
    return 2;
  }
  try {
    return await mod.run(rest);
  } catch (e) {
    process.stderr.write(`openubi ${name}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
