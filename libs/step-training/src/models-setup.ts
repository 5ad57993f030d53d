import * as tf from '@tensorflow/tfjs';
import { cloneFrozen, createStudent, createTeacher, growClassifier, type ResolvedModelConfig, type Student, type Teacher } from '@fmwiss/segmentation-models';
import { disposeLoaded, loadStepCheckpoint, weightsWithPrefix, type StepCheckpointMetadata } from './step-checkpoint';
import type { ClassRef } from './types';

/** The models of a step: the student it trains, the teacher (weak steps with the teacher), the frozen previous model (weak). */
export interface StepModels {
  student: Student;
  teacher: Teacher | null;
  previous: Student | null;
  dispose(): void;
}

/**
 * Reorders the previous student's classifier channels so that its classes come in `oldClasses` order
 * (ascending ids): a no-op for the protocol's tasks, whose steps add ever larger ids.
 */
function reorderClassifier(weights: Map<string, tf.Tensor>, from: readonly ClassRef[], to: readonly ClassRef[]): void {
  const order = to.map((c) => from.findIndex((f) => f.id === c.id));
  if (order.every((index, k) => index === k)) return;
  const indices = tf.tensor1d([0, ...order.map((i) => i + 1)], 'int32');
  for (const [name, axis] of [['student/classifier/kernel', 3], ['student/classifier/bias', 0]] as const) {
    const old = weights.get(name)!;
    weights.set(name, tf.gather(old, indices, axis));
    old.dispose();
  }
  indices.dispose();
}

/** The previous step's student from its final checkpoint, its channels in `oldClasses` order. */
export async function loadPreviousStudent(dir: string, oldClasses: readonly ClassRef[]): Promise<{ student: Student; metadata: StepCheckpointMetadata }> {
  const loaded = await loadStepCheckpoint(dir);
  try {
    const weights = weightsWithPrefix(loaded.weights, 'student');
    reorderClassifier(weights, loaded.step.classes, oldClasses);
    const student = createStudent(loaded.step.model, 1 + oldClasses.length, 0);
    student.setWeights(weights);
    tf.dispose([...weights.values()]);
    return { student, metadata: loaded.step };
  } finally {
    disposeLoaded(loaded);
  }
}

export interface ModelSetup {
  kind: 'base' | 'joint' | 'finetune' | 'weak';
  model: ResolvedModelConfig;
  oldClasses: readonly ClassRef[];
  totalChannels: number;
  seed: number;
  useTeacher: boolean;
  previousCheckpoint?: string;
}

/** Builds the step's models: fresh (base, joint) or grown from the previous step (finetune, weak). */
export async function setUpModels(setup: ModelSetup): Promise<StepModels> {
  const models: StepModels = {
    student: null as unknown as Student,
    teacher: null,
    previous: null,
    dispose() {
      for (const m of [this.student, this.teacher, this.previous]) if (m && !m.isDisposed) m.dispose();
    },
  };
  if (setup.kind === 'base' || setup.kind === 'joint') {
    models.student = createStudent(setup.model, setup.totalChannels, setup.seed);
    return models;
  }
  const { student: loaded } = await loadPreviousStudent(setup.previousCheckpoint!, setup.oldClasses);
  try {
    models.student = growClassifier(loaded, setup.totalChannels);
    if (setup.kind === 'weak') {
      models.previous = cloneFrozen(loaded);
      if (setup.useTeacher) models.teacher = createTeacher(setup.model, setup.totalChannels, `${setup.seed}/teacher`);
    }
  } catch (error) {
    models.dispose();
    throw error;
  } finally {
    loaded.dispose();
  }
  return models;
}
