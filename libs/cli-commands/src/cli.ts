// The fmwiss command line: `fmwiss <command> [flags]`. Dispatches to the commands, prints the
// top-level help, and turns every error into a message and an exit code (exit-codes.ts).
import type { CliIo } from './cli-io';
import type { CommandInfo } from './command-args';
import { ABLATE_INFO, ablateCommand } from './commands/ablate';
import { DEMO_INFO, demoCommand } from './commands/demo';
import { EVAL_INFO, evalCommand } from './commands/eval';
import { PREDICT_INFO, predictCommand } from './commands/predict';
import { RUN_INFO, runCommand } from './commands/run';
import { SERVE_INFO, serveCommand } from './commands/serve';
import { defaultDeps, type CommandDeps } from './deps';
import { EXIT_CODES_HELP, ExitCode, InterruptedError, ServiceStartError, UsageError } from './exit-codes';
import { describeGrpcError } from './follow-run';

type CommandFn = (argv: readonly string[], io: CliIo, deps: CommandDeps) => Promise<number>;

export const COMMANDS: { info: CommandInfo; run: CommandFn }[] = [
  { info: DEMO_INFO, run: demoCommand },
  { info: RUN_INFO, run: runCommand },
  { info: SERVE_INFO, run: (argv, io, deps) => serveCommand(argv, io, deps) },
  { info: EVAL_INFO, run: evalCommand },
  { info: PREDICT_INFO, run: predictCommand },
  { info: ABLATE_INFO, run: ablateCommand },
];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.info.name.length));
  return `Usage: fmwiss <command> [flags]        (from the workspace: npm run fmwiss -- <command> [flags])

fmwiss: weakly incremental semantic segmentation driven by foundation models, as gRPC services.

Commands:
${COMMANDS.map((c) => `  ${c.info.name.padEnd(width)}  ${c.info.summary}`).join('\n')}

'fmwiss <command> --help' lists a command's flags; docs/cli.md describes them all.

${EXIT_CODES_HELP}
`;
}

const USAGE_LINE = "Usage: fmwiss <command> [flags]; commands: demo, run, serve, eval, predict, ablate. Run 'fmwiss --help' for more.";

/** Runs `fmwiss <argv>`; resolves with the exit code (it never rejects). */
export async function runCli(argv: readonly string[], io: CliIo, overrides: Partial<CommandDeps> = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      io.stderr.write(`fmwiss: a command is needed\n${USAGE_LINE}\n`);
      return ExitCode.USAGE;
    }
    io.stdout.write(topLevelHelp());
    return ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.info.name === name);
  if (!command) {
    io.stderr.write(`fmwiss: unknown command "${name}"\n${USAGE_LINE}\n`);
    return ExitCode.USAGE;
  }
  try {
    return await command.run(rest, io, defaultDeps(overrides));
  } catch (error) {
    return reportError(name, error, io);
  }
}

function reportError(command: string, error: unknown, io: CliIo): number {
  const say = (text: string) => io.stderr.write(`${text}\n`);
  if (error instanceof UsageError) {
    say(`fmwiss ${command}: ${error.message}\n\n${error.usage}`);
    return ExitCode.USAGE;
  }
  if (error instanceof InterruptedError || io.signal.aborted) {
    say(`fmwiss ${command}: interrupted`);
    return ExitCode.INTERRUPTED;
  }
  if (error instanceof ServiceStartError) {
    say(`fmwiss ${command}: ${error.message}`);
    if (error.output.length > 0) say(`its last output:\n${error.output.map((line) => `  | ${line}`).join('\n')}`);
    return ExitCode.SERVICE_START;
  }
  say(`fmwiss ${command}: ${describeGrpcError(error)}`);
  return ExitCode.FAILED;
}
