// Flags of a command, read with service-kit's loadConfig from a zod schema (the same rules as the
// services: --kebab-case flags, --no-<flag> for booleans, FMWISS_<COMMAND>_<FLAG> variables), with
// --help text, examples and exit codes, and argument errors turned into UsageError.
import { ConfigError, ConfigHelpRequested, formatUsage, loadConfig } from '@fmwiss/service-kit';
import type { z } from 'zod';
import { EXIT_CODES_HELP, UsageError } from './exit-codes';

export interface CommandInfo {
  /** The command's name after `fmwiss`, e.g. "run". */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** A paragraph shown under the usage lines. */
  description: string;
  /** Usage lines after "fmwiss ", e.g. "run [--task 15-5] [--method fmwiss|finetune|joint] [options]". */
  synopsis: string[];
  examples: string[];
}

export type ParsedCommand<S extends z.ZodObject> = { help: string } | { values: z.infer<S> };

/** The environment variable prefix of a command's flags: FMWISS_RUN_ for "run". */
export function envPrefixOf(info: CommandInfo): string {
  return `FMWISS_${info.name.replace(/-/g, '_').toUpperCase()}_`;
}

/** The short usage printed with an argument error. */
export function shortUsage(info: CommandInfo): string {
  const lines = info.synopsis.map((line, i) => `${i === 0 ? 'Usage:' : '      '} fmwiss ${line}`);
  return `${lines.join('\n')}\nRun 'fmwiss ${info.name} --help' for every option.`;
}

/** The full --help text: usage lines, description, every option, examples, exit codes. */
export function commandHelp(schema: z.ZodObject, info: CommandInfo): string {
  const options = formatUsage(schema, { envPrefix: envPrefixOf(info), programName: `fmwiss ${info.name}` })
    .split('\n')
    .slice(2)
    .join('\n')
    .trimEnd();
  const usage = info.synopsis.map((line, i) => `${i === 0 ? 'Usage:' : '      '} fmwiss ${line}`).join('\n');
  const examples = info.examples.length > 0 ? `\n\nExamples:\n${info.examples.map((e) => `  ${e}`).join('\n')}` : '';
  return `${usage}\n\n${info.description}\n\n${options}${examples}\n\n${EXIT_CODES_HELP}\n`;
}

/** Reads the flags; `{ help }` for --help; throws UsageError naming every problem. */
export function parseCommandArgs<S extends z.ZodObject>(
  schema: S,
  argv: readonly string[],
  info: CommandInfo,
  env: NodeJS.ProcessEnv,
): ParsedCommand<S> {
  if (argv.includes('--help') || argv.includes('-h')) return { help: commandHelp(schema, info) };
  try {
    const values = loadConfig(schema, {
      argv,
      env,
      envPrefix: envPrefixOf(info),
      programName: `fmwiss ${info.name}`,
      write: () => undefined,
      exit: () => undefined,
    });
    return { values };
  } catch (error) {
    if (error instanceof ConfigHelpRequested) return { help: commandHelp(schema, info) };
    if (error instanceof ConfigError) {
      throw new UsageError(`invalid arguments:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`, shortUsage(info));
    }
    throw error;
  }
}

/** A problem found after the flags parsed (a bad class range, flags that exclude each other...). */
export function usageProblem(info: CommandInfo, message: string): UsageError {
  return new UsageError(message, shortUsage(info));
}
