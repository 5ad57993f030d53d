/**
 * An image or label file that cannot be read or decoded. The message names the file (`what`, usually
 * its path) and the problem, e.g. "data/x.png: truncated or corrupt: PNG ends inside its IDAT chunk".
 */
export class ImageError extends Error {
  /** What was being read: usually a file path, or a description such as "request image". */
  readonly what: string;
  /** What is wrong with it, without `what`. */
  readonly problem: string;

  constructor(what: string, problem: string, options?: { cause?: unknown }) {
    super(`${what}: ${problem}`, options);
    this.name = 'ImageError';
    this.what = what;
    this.problem = problem;
  }
}
