import { createClipBpeTokenizer, type ClipBpeSpec } from './clip-bpe';
import { TokenizerFileError } from './tokenizer-error';
import type { Tokenizer, TokenizerOptions } from './types';
import { createWordTokenizer, type WordSpec } from './word';

/** Ids must fit the Int32 `token_ids` tensor. */
const MAX_ID = 2 ** 31 - 1;

type Json = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_ID;
}

function requireString(json: Json, field: string): string {
  const value = json[field];
  if (typeof value !== 'string' || value === '') {
    throw new TokenizerFileError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function optionalBoolean(json: Json, field: string, fallback: boolean): boolean {
  const value = json[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TokenizerFileError(field, `must be true or false, got ${describe(value)}`);
  return value;
}

function tokenIn(vocab: ReadonlyMap<string, number>, json: Json, field: string): string {
  const token = requireString(json, field);
  if (!vocab.has(token)) throw new TokenizerFileError(field, `${JSON.stringify(token)} is not in vocab`);
  return token;
}

function clipBpeSpec(json: Json): ClipBpeSpec {
  const rawVocab = json['vocab'];
  if (rawVocab === null || typeof rawVocab !== 'object' || Array.isArray(rawVocab)) {
    throw new TokenizerFileError('vocab', `must be an object of token string to id, got ${describe(rawVocab)}`);
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(rawVocab)) {
    if (!isId(id)) {
      throw new TokenizerFileError(`vocab[${JSON.stringify(token)}]`, `must be an integer id in [0, ${MAX_ID}], got ${describe(id)}`);
    }
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new TokenizerFileError('vocab', 'is empty');

  const rawMerges = json['merges'];
  if (!Array.isArray(rawMerges)) {
    throw new TokenizerFileError('merges', `must be a list of "a b" pairs in rank order, got ${describe(rawMerges)}`);
  }
  const ranks = new Map<string, number>();
  rawMerges.forEach((merge: unknown, i) => {
    // merges.txt starts with a "#version: 0.2" line; tolerate it when copied into the list.
    if (i === 0 && typeof merge === 'string' && merge.startsWith('#version')) return;
    const field = `merges[${i}]`;
    const parts = typeof merge === 'string' ? merge.split(' ') : [];
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new TokenizerFileError(field, `must be two symbols separated by one space ("a b"), got ${describe(merge)}`);
    }
    const key = merge as string;
    if (ranks.has(key)) throw new TokenizerFileError(field, `${JSON.stringify(key)} repeats merges[${ranks.get(key)}]`);
    if (!vocab.has(parts[0]! + parts[1]!)) {
      throw new TokenizerFileError(field, `the merged symbol ${JSON.stringify(parts[0]! + parts[1]!)} is not in vocab`);
    }
    ranks.set(key, i);
  });

  const startToken = tokenIn(vocab, json, 'start_token');
  const endToken = tokenIn(vocab, json, 'end_token');
  const padId = json['pad_id'] === undefined ? 0 : json['pad_id'];
  if (!isId(padId)) throw new TokenizerFileError('pad_id', `must be an integer id in [0, ${MAX_ID}], got ${describe(padId)}`);
  return { vocab, ranks, startToken, endToken, padId, lowercase: optionalBoolean(json, 'lowercase', true) };
}

function wordSpec(json: Json): WordSpec {
  const rawVocab = json['vocab'];
  if (!Array.isArray(rawVocab) || rawVocab.length === 0) {
    throw new TokenizerFileError('vocab', `must be a non-empty list of tokens (the index is the id), got ${describe(rawVocab)}`);
  }
  if (rawVocab.length > MAX_ID) throw new TokenizerFileError('vocab', `holds more than ${MAX_ID} tokens`);
  const vocab = new Map<string, number>();
  rawVocab.forEach((token: unknown, id) => {
    const field = `vocab[${id}]`;
    if (typeof token !== 'string' || token === '') throw new TokenizerFileError(field, `must be a non-empty string, got ${describe(token)}`);
    if (vocab.has(token)) throw new TokenizerFileError(field, `${JSON.stringify(token)} repeats vocab[${vocab.get(token)}]`);
    vocab.set(token, id);
  });
  return {
    vocab,
    startToken: tokenIn(vocab, json, 'start_token'),
    endToken: tokenIn(vocab, json, 'end_token'),
    padToken: tokenIn(vocab, json, 'pad_token'),
    unknownToken: tokenIn(vocab, json, 'unknown_token'),
    lowercase: optionalBoolean(json, 'lowercase', true),
  };
}

/**
 * Reads a tokenizer file (docs/model-contracts.md, "Tokenizer files"): the parsed JSON, or its text.
 *
 * - `"type": "clip-bpe"`: `vocab` (object, token to id), `merges` (list of "a b" in rank order; a
 *   leading "#version" line is skipped), `start_token`, `end_token`, `pad_id` (default 0),
 *   `lowercase` (default true). Every merged symbol must be in `vocab`.
 * - `"type": "word"`: `vocab` (list, the index is the id, no repeats), `start_token`, `end_token`,
 *   `pad_token`, `unknown_token` (all in `vocab`), `lowercase` (default true).
 *
 * Unknown fields are ignored. Throws a TokenizerFileError naming the first field at fault, and a
 * RangeError for a context length below 2.
 */
export function loadTokenizer(json: unknown, options: TokenizerOptions): Tokenizer {
  const { contextLength } = options;
  if (!Number.isSafeInteger(contextLength) || contextLength < 2) {
    throw new RangeError(`contextLength must be an integer >= 2 (room for the start and end tokens), got ${contextLength}`);
  }
  let parsed = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new TokenizerFileError('(file)', `is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TokenizerFileError('(file)', `must be a JSON object, got ${describe(parsed)}`);
  }
  const file = parsed as Json;
  const type = file['type'];
  if (type === 'clip-bpe') return createClipBpeTokenizer(clipBpeSpec(file), { contextLength });
  if (type === 'word') return createWordTokenizer(wordSpec(file), { contextLength });
  throw new TokenizerFileError('type', `must be "clip-bpe" or "word", got ${describe(type)}`);
}
