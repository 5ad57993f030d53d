import type { ClassRef, StepKind } from './types';

/**
 * The channel order of every model a step makes: background, then the old classes by ascending id,
 * then the new classes by ascending id (stored in checkpoint metadata as `classes`, background left
 * out). Base and joint steps have no old classes.
 */
export function channelClasses(kind: StepKind, oldClasses: readonly ClassRef[], newClasses: readonly ClassRef[]): ClassRef[] {
  const byId = (a: ClassRef, b: ClassRef) => a.id - b.id;
  const old = kind === 'base' || kind === 'joint' ? [] : [...oldClasses].sort(byId);
  return [...old, ...[...newClasses].sort(byId)].map(({ id, name }) => ({ id, name }));
}

/** Label values per channel: [0, ...class ids in channel order]. */
export function channelLabelValues(classes: readonly ClassRef[]): number[] {
  return [0, ...classes.map((c) => c.id)];
}
