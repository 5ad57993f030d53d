// The momentum (EMA) teacher update: teacher = m * teacher + (1 - m) * student, name by name.
import * as tf from '@tensorflow/tfjs';

/** Updates every variable of `teacher` from the same-named tensor of `student`; both must match exactly. */
export function emaUpdate(teacher: ReadonlyMap<string, tf.Variable>, student: ReadonlyMap<string, tf.Tensor>, momentum: number): void {
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`EMA momentum must be in [0, 1], got ${momentum}`);
  for (const [name, target] of teacher) {
    const source = student.get(name);
    if (source === undefined) throw new RangeError(`the student has no ${name}`);
    if (source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i])) {
      throw new RangeError(`${name}: the student's shape [${source.shape}] differs from the teacher's [${target.shape}]`);
    }
  }
  if (teacher.size !== student.size) throw new RangeError(`the teacher has ${teacher.size} tensors, the student ${student.size}`);
  tf.tidy(() => {
    for (const [name, target] of teacher) target.assign(tf.add(tf.mul(target, momentum), tf.mul(student.get(name)!, 1 - momentum)));
  });
}
