// A small, strict option parser: unknown options are errors, so typos never pass silently.
import { parseArgs } from 'node:util';

export type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; default?: string | boolean }
>;

export type ParsedArgs<S extends OptionSpec> = {
  values: { [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean | undefined : string | undefined };
  positionals: string[];
};

export function parseCommandArgs<S extends OptionSpec>(
  argv: string[],
  spec: S,
): { ok: true; args: ParsedArgs<S> } | { ok: false; message: string } {
  try {
    const r = parseArgs({ args: argv, options: spec as never, allowPositionals: true, strict: true });
    return { ok: true, args: r as unknown as ParsedArgs<S> };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** Parses a number option, or returns an error message naming the option. */
export function numberOption(name: string, raw: string | undefined, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? n : `--${name} must be a number, got '${raw}'`;
}
