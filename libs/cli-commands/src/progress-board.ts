// Live progress lines, one per key (a run, an evaluation). On a terminal the lines are redrawn in
// place (cursor up, erase, rewrite) at most every `redrawMs`; elsewhere (a log file, CI) a line is
// printed when it reaches a milestone and otherwise at most every `plainIntervalMs`. Messages that
// must stay (warnings, results) go through log(), above the live lines.
import type { OutputStream } from './cli-io';
import { fitWidth } from './format';

const ESC = '\u001b[';

/** The bytes that replace `previousLineCount` drawn lines by `lines`, cut to the terminal width. */
export function ttyFrame(previousLineCount: number, lines: readonly string[], columns: number): string {
  const up = previousLineCount > 0 ? `${ESC}${previousLineCount}A` : '';
  const body = lines.map((line) => `${fitWidth(line, Math.max(1, columns - 1))}\n`).join('');
  return `${up}\r${ESC}J${body}`;
}

export interface ProgressBoardOptions {
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  /** Not a terminal: each line at most this often unless it reaches a milestone (default 5000). */
  plainIntervalMs?: number;
  /** Terminal: at most one redraw per this many ms (default 100); a later one is scheduled. */
  redrawMs?: number;
  /** Runs `fn` after `ms` (default: an unref'd setTimeout); returns a cancel function. */
  schedule?: (fn: () => void, ms: number) => () => void;
}

function defaultSchedule(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export class ProgressBoard {
  private readonly lines = new Map<string, string>();
  private readonly printed = new Map<string, string>();
  private drawnLines = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastPlain = Number.NEGATIVE_INFINITY;
  private cancelPending: (() => void) | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly tty: boolean;

  constructor(
    private readonly out: OutputStream,
    private readonly options: ProgressBoardOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.tty = out.isTTY === true;
  }

  /** Sets a key's line; `milestone` (a new stage, a run ended) prints it at once even when not a terminal. */
  set(key: string, line: string, milestone = false): void {
    if (this.closed) return;
    this.lines.set(key, line);
    if (this.tty) this.requestDraw();
    else this.printPlain(milestone ? [key] : undefined);
  }

  /** Prints a lasting message above the live lines. */
  log(text: string): void {
    if (this.tty && this.drawnLines > 0 && !this.closed) {
      this.out.write(`${ESC}${this.drawnLines}A\r${ESC}J${text}\n`);
      this.drawnLines = 0;
      this.draw();
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** Draws the current lines now (terminal) or prints those not printed yet (plain). */
  flush(): void {
    if (this.tty) this.draw();
    else this.printPlain(undefined, true);
  }

  /** The last draw; later set() calls are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.cancelPending?.();
    this.closed = true;
  }

  private requestDraw(): void {
    const wait = this.lastDraw + (this.options.redrawMs ?? 100) - this.now();
    if (wait <= 0) {
      this.draw();
      return;
    }
    if (this.cancelPending) return;
    this.cancelPending = (this.options.schedule ?? defaultSchedule)(() => {
      this.cancelPending = undefined;
      if (!this.closed) this.draw();
    }, wait);
  }

  private draw(): void {
    this.cancelPending?.();
    this.cancelPending = undefined;
    const lines = [...this.lines.values()];
    this.out.write(ttyFrame(this.drawnLines, lines, this.out.columns ?? 100));
    this.drawnLines = lines.length;
    this.lastDraw = this.now();
  }

  /** Prints changed lines: `keys` only (a milestone), or all changed ones when the interval passed or `force`. */
  private printPlain(keys: string[] | undefined, force = false): void {
    const due = force || this.now() - this.lastPlain >= (this.options.plainIntervalMs ?? 5000);
    const chosen = due ? [...this.lines.keys()] : (keys ?? []);
    for (const key of chosen) {
      const line = this.lines.get(key) as string;
      if (this.printed.get(key) === line) continue;
      this.out.write(`${line}\n`);
      this.printed.set(key, line);
    }
    if (due) this.lastPlain = this.now();
  }
}
