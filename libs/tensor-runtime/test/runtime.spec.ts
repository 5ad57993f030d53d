/** Backend selection, idempotence, logging and kernel registration of initTensorRuntime. */
import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime, registerWasmKernels, SUPPLIED_KERNELS, useStockWasmKernels } from '../src';

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('initTensorRuntime', () => {
  it("'auto' tries tfjs-node-gpu, tfjs-node, wasm, cpu in order and logs the choice", async () => {
    const messages: Array<[string, object | undefined]> = [];
    const info = await initTensorRuntime({ log: (m, f) => messages.push([m, f]) });
    const order = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
    expect(info.tried.map((t) => t.name)).toEqual(order.slice(0, info.tried.length));
    expect(info.tried[info.tried.length - 1]).toEqual({ name: info.backend, ok: true });
    for (const t of info.tried.slice(0, -1)) expect(t.reason).toEqual(expect.any(String));
    if (!resolvable('@tensorflow/tfjs-node')) {
      expect(info.tried.find((t) => t.name === 'tfjs-node')?.reason).toBe('not installed');
    }
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(messages.some(([m]) => m.includes(`backend ${info.backend}`))).toBe(true);
  });

  it('is idempotent per choice', async () => {
    const first = await initTensorRuntime({ backend: 'wasm' });
    await tf.setBackend('cpu');
    const second = await initTensorRuntime({ backend: 'wasm' });
    expect(second).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('an explicit backend that cannot start throws with the reason', async () => {
    if (resolvable('@tensorflow/tfjs-node')) return;
    await expect(initTensorRuntime({ backend: 'tfjs-node' })).rejects.toThrow(/tfjs-node: not installed/);
  });

  it('wasm runs one thread under Node', async () => {
    const wasm = await initTensorRuntime({ backend: 'wasm', wasmThreads: 4 });
    expect(wasm.wasmThreads).toBe(1);
  });

  it('cpu selection registers the gradient fixes and the cpu ResizeBilinearGrad fix', async () => {
    const info = await initTensorRuntime({ backend: 'cpu' });
    expect(info.registered).toEqual(expect.arrayContaining(['grad/Conv2D', 'grad/DepthwiseConv2dNative', 'grad/GatherNd', 'cpu/ResizeBilinearGrad']));
    expect(info.registered.some((r) => r.startsWith('wasm/'))).toBe(false);
  });
});

describe('registerWasmKernels', () => {
  it('installs every supplied wasm kernel, idempotently, and can swap the stock ones back', async () => {
    await initTensorRuntime({ backend: 'wasm' });
    expect(registerWasmKernels()).toEqual([]);
    for (const k of SUPPLIED_KERNELS.filter((s) => s.backendName === 'wasm')) {
      expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
    }
    const ours = tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc;
    const restore = useStockWasmKernels([tf.BatchMatMul, tf.Conv2DBackpropFilter]);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc).not.toBe(ours);
    // No stock Conv2DBackpropFilter exists on wasm: ours stays.
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')?.kernelFunc).toBe(
      SUPPLIED_KERNELS.find((k) => k.kernelName === tf.Conv2DBackpropFilter)?.kernelFunc,
    );
    const c = tf.matMul(tf.ones([40, 30]), tf.ones([40, 30]), true, false);
    expect(c.shape).toEqual([30, 30]);
    c.dispose();
    restore();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc).toBe(ours);
  });
});
