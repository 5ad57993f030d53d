// Checks of request fields shared by the RPCs; every message names the field.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatasetRef_Format, type ClassSpec, type DatasetRef } from '@fmwiss/contracts';
import type { ClassRef, DataRef } from '@fmwiss/training-jobs';
import { InvalidArgumentError, NotFoundError } from '@fmwiss/service-kit';

export const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** An id of 1 to 128 characters of [A-Za-z0-9._-] (not "." or "..", which are no folder names). */
export function checkId(value: string, field: string): string {
  if (!ID_PATTERN.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(`${field} "${value}" must be 1 to 128 characters of [A-Za-z0-9._-] (and not "." or "..")`);
  }
  return value;
}

export function requirePath(value: string, field: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`${field} is empty: give a path on the trainer's file system`);
  if (value.includes('\0')) throw new InvalidArgumentError(`${field} holds a NUL character`);
  return resolve(value);
}

/** Class specs as ClassRefs: ids 1..254, distinct (also from `taken`), each with a name. */
export function checkClasses(classes: readonly ClassSpec[], field: string, taken: ReadonlySet<number> = new Set()): ClassRef[] {
  const seen = new Set<number>();
  return classes.map((spec, index) => {
    const where = `${field}[${index}]`;
    if (!Number.isInteger(spec.id) || spec.id < 1 || spec.id > 254) {
      throw new InvalidArgumentError(`${where}.id is ${spec.id}; class ids lie in 1..254 (0 is background)`);
    }
    if (seen.has(spec.id)) throw new InvalidArgumentError(`${where}.id ${spec.id} appears twice in ${field}`);
    if (taken.has(spec.id)) throw new InvalidArgumentError(`${where}.id ${spec.id} is also in new_classes; a class is either new or old`);
    seen.add(spec.id);
    const name = spec.name.trim();
    if (name === '') throw new InvalidArgumentError(`${where}.name is empty (class id ${spec.id})`);
    return { id: spec.id, name };
  });
}

/** Class ids: each 1..254, distinct. */
export function checkClassIds(ids: readonly number[], field: string): number[] {
  const seen = new Set<number>();
  for (const [index, id] of ids.entries()) {
    if (!Number.isInteger(id) || id < 1 || id > 254) throw new InvalidArgumentError(`${field}[${index}] is ${id}; class ids lie in 1..254`);
    if (seen.has(id)) throw new InvalidArgumentError(`${field}[${index}]: class ${id} appears twice`);
    seen.add(id);
  }
  return [...ids];
}

const FORMATS: ReadonlyMap<DatasetRef_Format, DataRef['format']> = new Map([
  [DatasetRef_Format.FORMAT_VOC, 'voc'],
  [DatasetRef_Format.FORMAT_COCO, 'coco'],
  [DatasetRef_Format.FORMAT_MANIFEST, 'manifest'],
]);

/** A DatasetRef as step-training's DataRef, paths made absolute. */
export function checkDataset(ref: DatasetRef | undefined, field: string): DataRef {
  if (!ref) throw new InvalidArgumentError(`${field} is missing: name the dataset (format, root, list_path or split)`);
  const format = FORMATS.get(ref.format);
  if (!format) throw new InvalidArgumentError(`${field}.format must be FORMAT_VOC, FORMAT_COCO or FORMAT_MANIFEST, got ${ref.format}`);
  const data: DataRef = { format, root: requirePath(ref.root, `${field}.root`) };
  if (ref.listPath !== '') data.listPath = requirePath(ref.listPath, `${field}.list_path`);
  else if (ref.split === 'train' || ref.split === 'val') data.split = ref.split;
  else throw new InvalidArgumentError(`${field}: give list_path, or split "train" or "val" (got split "${ref.split}")`);
  if (ref.listSha256 !== '') {
    if (!/^[0-9a-fA-F]{64}$/.test(ref.listSha256)) throw new InvalidArgumentError(`${field}.list_sha256 must be 64 hex digits`);
    if (!data.listPath) throw new InvalidArgumentError(`${field}.list_sha256 is set without list_path`);
    data.listSha256 = ref.listSha256.toLowerCase();
  }
  return data;
}

/** A checkpoint folder that exists (NOT_FOUND otherwise), as an absolute path. */
export function requireCheckpoint(value: string, field: string): string {
  const path = requirePath(value, field);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new NotFoundError(`${field}: no checkpoint folder at ${path}`);
  if (!existsSync(join(path, 'manifest.json'))) throw new NotFoundError(`${field}: ${path} holds no checkpoint (no manifest.json)`);
  return path;
}
