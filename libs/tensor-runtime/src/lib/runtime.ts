/**
 * Backend selection for TensorFlow.js in Node: tfjs-node-gpu, tfjs-node, wasm or cpu, with the
 * kernel and gradient fixes of this library registered.
 */
import * as tf from '@tensorflow/tfjs';
import { GRADIENT_FIXES, registerGradientFixes } from './gradients';
import { registerCpuKernelFixes, registerWasmKernels, SUPPLIED_KERNELS } from './kernels/register';
import { optionalRequire, packageFileDir } from './optional-require';

export type BackendChoice = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export interface TensorRuntimeOptions {
  /** Default 'auto': tfjs-node-gpu, then tfjs-node, then wasm, then cpu. */
  backend?: BackendChoice;
  /**
   * Threads for the wasm backend. tfjs-backend-wasm 4.22 disables its threaded build under Node
   * (WASM_HAS_MULTITHREAD_SUPPORT is false there, and forcing it fails: emscripten starts its
   * pthread workers from a blob: URL, which Node's Worker rejects), so wasm always runs one thread;
   * a larger value is recorded and logged, not honoured.
   */
  wasmThreads?: number;
  log?: (message: string, fields?: object) => void;
}

export interface BackendAttempt {
  name: Exclude<BackendChoice, 'auto'>;
  ok: boolean;
  reason?: string;
}

export interface TensorRuntimeInfo {
  /** The selected choice ('tfjs-node-gpu', 'tfjs-node', 'wasm' or 'cpu'). */
  backend: Exclude<BackendChoice, 'auto'>;
  /** The tfjs backend name now active ('tensorflow', 'wasm' or 'cpu'). */
  tfBackend: string;
  tried: BackendAttempt[];
  /** Threads the wasm backend runs with (only when backend is 'wasm'). */
  wasmThreads?: number;
  /** Kernels and gradients of this library now in force, e.g. 'wasm/Conv2DBackpropFilter', 'grad/Conv2D'. */
  registered: string[];
}

const ORDER: Array<Exclude<BackendChoice, 'auto'>> = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

interface WasmPackage {
  setWasmPaths(prefix: string): void;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

type Attempt = { ok: true; tfBackend: string; wasmThreads?: number } | { ok: false; reason: string };

async function activate(tfBackend: string): Promise<Attempt> {
  try {
    const ok = await tf.setBackend(tfBackend);
    await tf.ready();
    return ok && tf.getBackend() === tfBackend ? { ok: true, tfBackend } : { ok: false, reason: `tf.setBackend('${tfBackend}') failed` };
  } catch (error) {
    return { ok: false, reason: `tf.setBackend('${tfBackend}') threw: ${String((error as Error).message ?? error).split('\n')[0]}` };
  }
}

async function tryNode(packageName: string): Promise<Attempt> {
  const loaded = optionalRequire<unknown>(packageName);
  if (!loaded.ok) return loaded;
  if (tf.findBackendFactory('tensorflow') == null) return { ok: false, reason: `${packageName} loaded but registered no 'tensorflow' backend` };
  return activate('tensorflow');
}

let wasmPrepared = false;

async function tryWasm(): Promise<Attempt> {
  const loaded = optionalRequire<WasmPackage>('@tensorflow/tfjs-backend-wasm');
  if (!loaded.ok) return loaded;
  if (!wasmPrepared && tf.findBackend('wasm') == null) {
    loaded.module.setWasmPaths(packageFileDir('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    // Threaded wasm is unusable under Node (see TensorRuntimeOptions.wasmThreads): one thread.
    loaded.module.setThreadsCount(1);
    wasmPrepared = true;
  }
  registerWasmKernels();
  const result = await activate('wasm');
  if (!result.ok) return result;
  return { ok: true, tfBackend: 'wasm', wasmThreads: loaded.module.getThreadsCount() };
}

function attempt(name: Exclude<BackendChoice, 'auto'>): Promise<Attempt> {
  switch (name) {
    case 'tfjs-node-gpu':
      return tryNode('@tensorflow/tfjs-node-gpu');
    case 'tfjs-node':
      return tryNode('@tensorflow/tfjs-node');
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return activate('cpu');
  }
}

const cache = new Map<BackendChoice, Promise<TensorRuntimeInfo>>();

async function select(options: TensorRuntimeOptions): Promise<TensorRuntimeInfo> {
  const choice = options.backend ?? 'auto';
  const log = options.log ?? (() => undefined);
  registerGradientFixes();
  registerCpuKernelFixes();
  const candidates = choice === 'auto' ? ORDER : [choice];
  const tried: BackendAttempt[] = [];
  for (const name of candidates) {
    const result = await attempt(name);
    if (!result.ok) {
      tried.push({ name, ok: false, reason: result.reason });
      continue;
    }
    tried.push({ name, ok: true });
    const registered = [
      ...GRADIENT_FIXES.map((g) => `grad/${g.kernelName}`),
      'patch/tf.fused.conv2d',
      'patch/tf.fused.depthwiseConv2d',
      ...SUPPLIED_KERNELS.filter((k) => k.backendName === 'cpu' || name === 'wasm').map((k) => `${k.backendName}/${k.kernelName}`),
    ];
    const info: TensorRuntimeInfo = { backend: name, tfBackend: result.tfBackend, tried, registered };
    if (result.wasmThreads != null) info.wasmThreads = result.wasmThreads;
    if (name === 'wasm' && (options.wasmThreads ?? 1) > 1) {
      log('tensor-runtime: wasm threads unavailable under Node, running one thread', { requested: options.wasmThreads });
    }
    log(`tensor-runtime: backend ${name} (tf backend '${result.tfBackend}')`, { backend: name, tried, wasmThreads: info.wasmThreads });
    return info;
  }
  const why = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  log('tensor-runtime: no backend could be started', { tried });
  throw new Error(`initTensorRuntime: backend '${choice}' unavailable (${why})`);
}

/**
 * Selects and activates a tfjs backend, registering this library's kernels and gradient fixes.
 * Idempotent per requested choice: a second call with the same choice returns the first result
 * (re-activating that backend if another one was set meanwhile). An explicit choice that cannot
 * start throws an error naming the reason; 'auto' throws only when even cpu fails.
 */
export async function initTensorRuntime(options: TensorRuntimeOptions = {}): Promise<TensorRuntimeInfo> {
  const choice = options.backend ?? 'auto';
  const previous = cache.get(choice);
  if (previous != null) {
    const info = await previous;
    if (tf.getBackend() !== info.tfBackend) await tf.setBackend(info.tfBackend);
    return info;
  }
  const pending = select(options);
  cache.set(choice, pending);
  try {
    return await pending;
  } catch (error) {
    cache.delete(choice);
    throw error;
  }
}
