import * as grpc from '@grpc/grpc-js';
import { STEP_ERROR_NAMES } from '../step-api';
import type { InferenceFailure } from './protocol';

function className(error: unknown): string {
  if (!(error instanceof Error)) return '';
  return error.name && error.name !== 'Error' ? error.name : (error.constructor?.name ?? 'Error');
}

/** The gRPC status an inference error maps to, recognised by the error's class name (and a checkpoint error's code). */
export function inferenceFailure(error: unknown, cancelled: boolean): InferenceFailure {
  const message = error instanceof Error ? error.message : String(error);
  const name = className(error);
  if (cancelled || name === STEP_ERROR_NAMES.cancelled) return { code: grpc.status.CANCELLED, message };
  if (name === STEP_ERROR_NAMES.spec || name === 'ImageError') return { code: grpc.status.INVALID_ARGUMENT, message };
  if (name === STEP_ERROR_NAMES.precondition || name === 'DatasetError' || name === 'ModelError') {
    return { code: grpc.status.FAILED_PRECONDITION, message };
  }
  if (name === 'CheckpointError') {
    const code = (error as { code?: unknown }).code;
    return { code: code === 'not-found' ? grpc.status.NOT_FOUND : grpc.status.FAILED_PRECONDITION, message: `checkpoint unusable: ${message}` };
  }
  return { code: grpc.status.INTERNAL, message: name && name !== 'Error' ? `${name}: ${message}` : message };
}
