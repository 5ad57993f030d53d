// Command-line options from a declarative table: one table gives the parser, the validation (type,
// range) and the usage text, so that what --help prints is what is checked.
import { parseArgs } from 'node:util';

/** A bad command line: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface OptionBase {
  /** One line for the usage text. */
  help: string;
}

export interface NumberOption extends OptionBase {
  kind: 'int' | 'float';
  default?: number;
  min?: number;
  max?: number;
}

export interface StringOption extends OptionBase {
  kind: 'string';
  default?: string;
}

export interface BooleanOption extends OptionBase {
  kind: 'boolean';
}

export type OptionSpec = NumberOption | StringOption | BooleanOption;
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The parsed values: numbers, strings and booleans by flag name; undefined when absent without default. */
export type OptionValues<T extends OptionTable> = {
  [K in keyof T]: T[K] extends BooleanOption
    ? boolean
    : T[K] extends NumberOption
      ? T[K]['default'] extends number
        ? number
        : number | undefined
      : T[K] extends StringOption
        ? T[K]['default'] extends string
          ? string
          : string | undefined
        : never;
};

/** The usage text: `usage` first, then one line per option. */
export function usageText(usage: string, table: OptionTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const flag = spec.kind === 'boolean' ? `--${name}` : `--${name} ${spec.kind === 'string' ? 'S' : 'N'}`;
    const fallback = spec.kind !== 'boolean' && spec.default !== undefined ? ` (default ${spec.default})` : '';
    return `  ${flag.padEnd(26)} ${spec.help}${fallback}`;
  });
  return [usage, ...rows, `  ${'--help'.padEnd(26)} this text`].join('\n');
}

/** Parses `argv` against the table; throws a UsageError naming the flag at fault. `help` is reported apart. */
export function parseOptions<T extends OptionTable>(argv: readonly string[], table: T): { help: boolean; values: OptionValues<T> } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, spec] of Object.entries(table)) options[name] = { type: spec.kind === 'boolean' ? 'boolean' : 'string' };
  let raw: Record<string, string | boolean | undefined>;
  try {
    raw = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const given = raw[name];
    if (spec.kind === 'boolean') {
      values[name] = given === true;
    } else if (spec.kind === 'string') {
      if (given !== undefined && (given as string).trim() === '') throw new UsageError(`--${name} must not be empty`);
      values[name] = given ?? spec.default;
    } else {
      values[name] = given === undefined ? spec.default : parseNumber(name, given as string, spec);
    }
  }
  return { help: raw['help'] === true, values: values as OptionValues<T> };
}

function parseNumber(name: string, text: string, spec: NumberOption): number {
  const pattern = spec.kind === 'int' ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i;
  if (!pattern.test(text.trim())) throw new UsageError(`--${name} must be ${spec.kind === 'int' ? 'an integer' : 'a number'}, got "${text}"`);
  const value = Number(text);
  if (!Number.isFinite(value) || (spec.kind === 'int' && !Number.isSafeInteger(value))) throw new UsageError(`--${name} is out of range: ${text}`);
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`--${name} must be >= ${spec.min}, got ${text}`);
  if (spec.max !== undefined && value > spec.max) throw new UsageError(`--${name} must be <= ${spec.max}, got ${text}`);
  return value;
}
