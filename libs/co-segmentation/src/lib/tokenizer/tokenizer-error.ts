/**
 * A tokenizer file that cannot be used: a missing or malformed field, or a vocabulary that lacks a
 * token the text needs. `field` names the field at fault (`merges[12]`, `vocab`, `start_token`).
 * The service that opens the text model reports it as a model contract failure at start.
 */
export class TokenizerFileError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`tokenizer file: ${field}: ${message}`);
    this.name = new.target.name;
    this.field = field;
  }
}
