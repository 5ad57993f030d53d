/**
 * A model built or called wrongly: an invalid configuration, an input of the wrong shape, weights
 * that do not fit the architecture. Configuration errors map to INVALID_ARGUMENT (or
 * FAILED_PRECONDITION when they come from the service's own settings); the message names the field.
 */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
