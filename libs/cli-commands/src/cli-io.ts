// What a command gets from the process: its output streams, working folder, environment and the
// signal that fires on Ctrl-C. Tests give their own.

/** A place to write text; a terminal says so with isTTY (and its width in columns). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Relative paths in flags are resolved against this folder. */
  cwd: string;
  /** Read for FMWISS_<COMMAND>_<FLAG> variables. */
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C / SIGTERM: commands cancel their runs, stop their services and return 130. */
  signal: AbortSignal;
}

/** An OutputStream that keeps what was written, for tests. */
export class CapturedOutput implements OutputStream {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}

  write(text: string): boolean {
    this.text += text;
    return true;
  }
}
