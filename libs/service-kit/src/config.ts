// Configuration from command-line flags and environment variables, validated once at start by a
// zod object schema. Keys are camelCase in the schema; `fooBarMs` is read from `--foo-bar-ms value`
// or `--foo-bar-ms=value` (booleans: `--flag`, `--no-flag`, `--flag=false`) and from
// `<envPrefix>FOO_BAR_MS`. Precedence: flags > environment > schema defaults.
//
// Coercion: flags and environment variables are strings. Before validation, a string given for a
// number field is converted with Number() (when it parses), and for a boolean field
// true/1/yes/on and false/0/no/off are accepted; anything else is left as is, so the schema reports
// it. Schemas therefore use plain z.number()/z.int()/z.boolean(), not z.coerce (whose boolean
// coercion would read "false" as true). An empty environment variable counts as unset.
import { z } from 'zod';

export interface LoadConfigOptions {
  /** Arguments after the program name (default: process.argv.slice(2)). */
  argv?: readonly string[];
  /** Environment (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Prefix of every environment variable, e.g. 'FMWISS_MEMORY_BANK_'. */
  envPrefix: string;
  /** Name shown in the usage line. */
  programName: string;
  /** One paragraph shown under the usage line. */
  description?: string;
  /** Where --help writes the usage text (default: stdout). */
  write?: (text: string) => void;
  /** Called with 0 after --help (default: process.exit). If it returns, loadConfig throws ConfigHelpRequested. */
  exit?: (code: number) => void;
}

/** The configuration is invalid; `problems` lists every one, each naming its flag and env var. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** --help was given: the usage text was written; thrown when the injected `exit` returns. */
export class ConfigHelpRequested extends Error {
  readonly usage: string;

  constructor(usage: string) {
    super('help requested');
    this.name = 'ConfigHelpRequested';
    this.usage = usage;
  }
}

type FieldKind = 'string' | 'number' | 'boolean' | 'enum' | 'other';

/** What the loader needs to know about one schema key. */
interface ConfigField {
  key: string;
  flag: string;
  env: string;
  kind: FieldKind;
  choices: readonly string[];
  hasDefault: boolean;
  defaultValue: unknown;
  optional: boolean;
  description: string | undefined;
}

/** `maxReceiveMessageBytes` → `max-receive-message-bytes`. */
export function toKebabCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** `maxReceiveMessageBytes` → `MAX_RECEIVE_MESSAGE_BYTES`. */
export function toUpperSnakeCase(key: string): string {
  return toKebabCase(key).replace(/-/g, '_').toUpperCase();
}

interface SchemaDef {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  out?: z.core.$ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string | number>;
  values?: unknown[];
}

/** Looks through default/optional/pipe wrappers for the field's base kind, default and description. */
function describeField(key: string, schema: z.core.$ZodType, envPrefix: string): ConfigField {
  const field: ConfigField = {
    key,
    flag: toKebabCase(key),
    env: envPrefix + toUpperSnakeCase(key),
    kind: 'other',
    choices: [],
    hasDefault: false,
    defaultValue: undefined,
    optional: false,
    description: undefined,
  };
  let current: z.core.$ZodType | undefined = schema;
  for (let depth = 0; current && depth < 16; depth += 1) {
    field.description ??= z.globalRegistry.get(current)?.description;
    const def = current._zod.def as unknown as SchemaDef;
    switch (def.type) {
      case 'default':
      case 'prefault':
        if (!field.hasDefault) {
          field.hasDefault = true;
          field.defaultValue = def.defaultValue;
        }
        current = def.innerType;
        continue;
      case 'optional':
      case 'nullable':
        field.optional = true;
        current = def.innerType;
        continue;
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        current = def.innerType;
        continue;
      case 'pipe':
        current = def.in && def.in._zod.def.type !== 'transform' ? def.in : def.out;
        continue;
      case 'string':
      case 'number':
      case 'boolean':
        field.kind = def.type;
        break;
      case 'enum':
        field.kind = 'enum';
        field.choices = Object.values(def.entries ?? {}).map(String);
        break;
      case 'literal':
        field.kind = 'enum';
        field.choices = (def.values ?? []).map(String);
        break;
    }
    break;
  }
  return field;
}

function fieldsOf(schema: z.ZodObject, envPrefix: string): ConfigField[] {
  return Object.entries(schema.shape).map(([key, value]) => describeField(key, value as z.core.$ZodType, envPrefix));
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Converts a flag or env string to the field's kind where it clearly parses; else leaves it for the schema to reject. */
function coerce(field: ConfigField, raw: string): unknown {
  const text = raw.trim();
  if (field.kind === 'number') {
    const value = Number(text);
    return text !== '' && !Number.isNaN(value) ? value : raw;
  }
  if (field.kind === 'boolean') {
    const word = text.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return raw;
}

interface ParsedArgs {
  values: Map<string, string>;
  help: boolean;
  problems: string[];
}

function parseArgs(argv: readonly string[], fields: readonly ConfigField[]): ParsedArgs {
  const byFlag = new Map(fields.map((field) => [field.flag, field]));
  const parsed: ParsedArgs = { values: new Map(), help: false, problems: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      parsed.problems.push(`unexpected argument "${arg}" (options are --name value or --name=value; see --help)`);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    const field = byFlag.get(name);
    if (!field) {
      const negated = name.startsWith('no-') ? byFlag.get(name.slice(3)) : undefined;
      if (negated?.kind === 'boolean' && inline === undefined) parsed.values.set(negated.key, 'false');
      else parsed.problems.push(`unknown flag --${name} (see --help)`);
      continue;
    }
    if (field.kind === 'boolean') {
      parsed.values.set(field.key, inline ?? 'true');
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      parsed.problems.push(`flag --${name} needs a value`);
      continue;
    }
    if (inline === undefined) i += 1;
    parsed.values.set(field.key, value);
  }
  return parsed;
}

function formatDefault(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function placeholder(field: ConfigField): string {
  if (field.kind === 'boolean') return '';
  if (field.kind === 'enum') return ` <${field.choices.join('|')}>`;
  return ` <${field.kind === 'other' ? 'value' : field.kind}>`;
}

/** The --help text: every option with its env var, default and `.describe()` text. */
export function formatUsage(schema: z.ZodObject, options: Pick<LoadConfigOptions, 'envPrefix' | 'programName' | 'description'>): string {
  const fields = fieldsOf(schema, options.envPrefix);
  const lines = [`Usage: ${options.programName} [options]`, ''];
  if (options.description) lines.push(options.description, '');
  lines.push('Options (flags override environment variables, which override defaults):');
  for (const field of fields) {
    const flag = field.kind === 'boolean' ? `--[no-]${field.flag}` : `--${field.flag}${placeholder(field)}`;
    lines.push(`  ${flag}`);
    if (field.description) lines.push(`      ${field.description}`);
    const fallback = field.hasDefault ? `default: ${formatDefault(field.defaultValue)}` : field.optional ? 'optional' : 'required';
    lines.push(`      env: ${field.env}; ${fallback}`);
  }
  lines.push('  --help', '      Print this help and exit.');
  return `${lines.join('\n')}\n`;
}

/**
 * Reads, coerces and validates the configuration. Throws ConfigError listing every problem
 * (unknown flags, missing values, schema issues). On --help writes the usage and calls exit(0).
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadConfigOptions): z.infer<S> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const fields = fieldsOf(schema, options.envPrefix);
  const args = parseArgs(argv, fields);

  if (args.help) {
    const usage = formatUsage(schema, options);
    (options.write ?? ((text: string) => process.stdout.write(text)))(usage);
    (options.exit ?? ((code: number) => process.exit(code)))(0);
    throw new ConfigHelpRequested(usage);
  }

  const input: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const field of fields) {
    const fromFlag = args.values.get(field.key);
    const fromEnv = env[field.env];
    if (fromFlag !== undefined) {
      input[field.key] = coerce(field, fromFlag);
      sources.set(field.key, `--${field.flag} "${fromFlag}"`);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      input[field.key] = coerce(field, fromEnv);
      sources.set(field.key, `${field.env}="${fromEnv}"`);
    }
  }

  const problems = [...args.problems];
  const result = schema.safeParse(input);
  if (!result.success) {
    const byKey = new Map(fields.map((field) => [field.key, field]));
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      const field = byKey.get(key);
      if (!field) {
        problems.push(issue.message);
        continue;
      }
      const source = sources.get(key);
      problems.push(`--${field.flag} / ${field.env}: ${issue.message}${source ? ` (got ${source})` : ''}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (result as { data: z.infer<S> }).data;
}

const SECRET_KEY = /(password|secret|token|credential)/i;

/** A copy of the configuration safe to log at start: every key, values of secret-looking keys redacted. */
export function describeConfig(config: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, SECRET_KEY.test(key) && value !== undefined ? '[redacted]' : value]),
  );
}
