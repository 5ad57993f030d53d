// Errors of the model backends. Each is an AppError, so a service that lets one through sends the
// client a precise gRPC status with this message.
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  UnavailableError,
  type AppErrorOptions,
} from '@fmwiss/service-kit';

/** The model could not be opened: missing file, not a model, bad URI. Raised at start. */
export class ModelLoadError extends FailedPreconditionError {
  constructor(message: string, options?: AppErrorOptions) {
    super(message, options);
  }
}

/** The model does not satisfy the contract it is used under (tensor names, dtypes, shapes, properties). */
export class ModelContractError extends FailedPreconditionError {
  constructor(message: string, options?: AppErrorOptions) {
    super(message, options);
  }
}

/** The tensors given to `infer` do not match the model's declared inputs. */
export class ModelInputError extends InvalidArgumentError {
  constructor(message: string, options?: AppErrorOptions) {
    super(message, options);
  }
}

/** A remote inference server cannot be reached or is not ready. Worth retrying. */
export class ModelUnavailableError extends UnavailableError {
  constructor(message: string, options?: AppErrorOptions) {
    super(message, options);
  }
}

/** The runtime failed while running the model. */
export class InferenceError extends InternalError {
  constructor(message: string, options?: AppErrorOptions) {
    super(message, options);
  }
}

/**
 * Whether a start-up failure is the model's: missing, unreadable, unreachable or breaking its
 * contract. Services exit with code 3 for these (configuration errors are 2, anything else 1).
 */
export function isModelProblem(error: unknown): boolean {
  return error instanceof ModelLoadError || error instanceof ModelContractError || error instanceof ModelUnavailableError;
}
