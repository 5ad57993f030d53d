import { createHash } from 'node:crypto';
import { checkPositiveInteger } from './shapes';

/**
 * A stable key of a template list (SHA-256 of its JSON, hex): the same templates in the same order
 * give the same key. Order matters only for identity; the ensemble itself is order-independent.
 */
export function templatesHash(templates: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(templates)).digest('hex');
}

/**
 * A least-recently-used cache of prompt-ensembled class embeddings, keyed by (class name as it goes
 * into the prompts, templatesHash of the templates). One cache belongs to one text model: embeddings
 * of different models must not share it. At most `maxEntries` embeddings are kept; adding one more
 * evicts the entry used least recently. Stored arrays are returned as they are: treat them as
 * read-only.
 */
export class TextEmbeddingCache {
  readonly maxEntries: number;
  private readonly entries = new Map<string, Float32Array>();

  constructor(maxEntries: number) {
    checkPositiveInteger('maxEntries', maxEntries);
    this.maxEntries = maxEntries;
  }

  private static key(className: string, hash: string): string {
    return `${hash}\u0000${className}`;
  }

  /** The embedding [d], marked as most recently used; undefined when absent. */
  get(className: string, hash: string): Float32Array | undefined {
    const key = TextEmbeddingCache.key(className, hash);
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores (or replaces) an embedding [d] as most recently used, evicting the least recent beyond the bound. */
  set(className: string, hash: string, embedding: Float32Array): void {
    const key = TextEmbeddingCache.key(className, hash);
    this.entries.delete(key);
    this.entries.set(key, embedding);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
