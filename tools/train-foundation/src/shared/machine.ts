// What the training ran on, for the model card.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';

export interface MachineInfo {
  /** Logical cores the OS reports. */
  cores: number;
  cpu: string;
  memoryGiB: number;
  platform: string;
  node: string;
  tfjs: string;
  /** The active tfjs backend ('wasm': single-threaded under Node). */
  backend: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
  };
}
