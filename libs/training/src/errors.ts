/** What went wrong with a checkpoint, for callers that branch on it (the message is for people). */
export type CheckpointErrorCode =
  | 'invalid-input' // saveCheckpoint was given something it cannot store (dtype, name, metadata)
  | 'not-found' // no checkpoint folder, or no manifest.json in it
  | 'invalid-manifest' // manifest.json is not valid JSON or not a well-formed manifest
  | 'unsupported-version' // a format name or version this code does not read
  | 'missing-file' // a data file the manifest lists is absent
  | 'size-mismatch' // a data file is shorter or longer than the manifest says
  | 'checksum-mismatch' // a data file's SHA-256 differs from the manifest's
  | 'unexpected-tensors' // the tensor names differ from what the caller expects
  | 'shape-mismatch' // a tensor's shape differs from what the caller expects
  | 'io'; // the file system failed while writing

/** Raised by every checkpoint function; `path` names the file or folder concerned. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';

  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Raised for invalid arguments to the optimiser, schedule, clipping and batching helpers. */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
}
