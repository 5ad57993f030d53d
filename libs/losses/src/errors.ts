/**
 * A loss called with inputs that do not fit together: mismatched shapes, a label outside the class
 * range, a bad hyper-parameter. A trainer maps it to INVALID_ARGUMENT (or FAILED_PRECONDITION when it
 * comes from its own configuration); the message names the argument and the offending shape or value.
 */
export class LossInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** `[2,3,4]` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export function assertRank(name: string, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) {
    throw new LossInputError(`${name} must have rank ${rank}, got shape ${shapeText(shape)}`);
  }
}

export function assertSameShape(nameA: string, a: readonly number[], nameB: string, b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new LossInputError(`${nameA} ${shapeText(a)} and ${nameB} ${shapeText(b)} must have the same shape`);
  }
}

