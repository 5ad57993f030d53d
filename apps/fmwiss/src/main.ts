/**
 * The fmwiss command line: `npm run fmwiss -- <command> [flags]` (demo, run, serve, eval, predict,
 * ablate); `--help` on any command. All logic is in @fmwiss/cli-commands. The first Ctrl-C (or
 * SIGTERM) asks the command to stop cleanly (cancel runs, stop services: exit 130); another one a
 * second or more later exits at once. (Under `npm run`, one Ctrl-C can arrive twice within
 * milliseconds: from the terminal and relayed by npm and tsx; those repeats are ignored.)
 */
import { runCli } from '@fmwiss/cli-commands';

const REPEAT_WINDOW_MS = 1000;
const controller = new AbortController();
let firstSignalAt: number | undefined;
const onSignal = () => {
  if (firstSignalAt === undefined) {
    firstSignalAt = Date.now();
    controller.abort();
    if (process.argv[2] !== 'serve') process.stderr.write('\nstopping (Ctrl-C again to quit at once) ...\n');
  } else if (Date.now() - firstSignalAt >= REPEAT_WINDOW_MS) {
    process.exit(130);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
}).then((code) => process.exit(code));
