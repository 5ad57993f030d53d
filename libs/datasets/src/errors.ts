/**
 * A dataset file that is missing, empty or malformed: a list file, a manifest, a label index, a step
 * list, a custom task. The message is "<file>: <problem>", so a person knows which file to fix; when a
 * file holds several problems they are all in `details` (and in the message, one per line).
 */
export class DatasetError extends Error {
  /** The file (or folder) at fault. */
  readonly file: string;
  /** What is wrong with it, without the file name. */
  readonly problem: string;
  /** Every individual problem, when the file holds several (e.g. a manifest). */
  readonly details: readonly string[];

  constructor(file: string, problem: string, options: { details?: readonly string[]; cause?: unknown } = {}) {
    const details = options.details ?? [];
    const listed = details.length > 0 ? `\n${details.map((line) => `  - ${line}`).join('\n')}` : '';
    super(`${file}: ${problem}${listed}`, { cause: options.cause });
    this.name = 'DatasetError';
    this.file = file;
    this.problem = problem;
    this.details = details;
  }
}

/**
 * A malformed task or a task that does not fit a dataset: unknown name, empty or overlapping steps,
 * classes the dataset does not have, background or ignore in a step. Every problem is in `details`.
 */
export class TaskError extends Error {
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(details.length > 0 ? `${message}\n${details.map((line) => `  - ${line}`).join('\n')}` : message);
    this.name = 'TaskError';
    this.details = details;
  }
}

/** "0-20", "0-3, 7, 9-11": a compact list of sorted distinct integers for messages. */
export function describeIds(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j === i ? `${ids[i]}` : j === i + 1 ? `${ids[i]}, ${ids[j]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The errno code of a Node.js system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** At most `max` lines, the rest summarised as "... and N more", so a message stays readable. */
export function capLines(lines: readonly string[], max = 20): string[] {
  return lines.length <= max ? [...lines] : [...lines.slice(0, max), `... and ${lines.length - max} more`];
}
