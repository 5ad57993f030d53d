/**
 * Kernel benchmark on the wasm backend: conv2d forward, Conv2DBackpropFilter, Conv2DBackpropInput
 * (ours, with their strategies, vs stock wasm where it exists) and BatchMatMul (ours vs stock),
 * beside a plain 1024x1024 matmul measured in the same run. Prints ms per call (best of up to 30
 * runs), GFLOP/s, and each kernel's GFLOP/s as a fraction of the plain matmul's.
 *
 *   npx tsx tools/bench/kernels.ts [--quick]
 */
import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime, useStockWasmKernels, wasmKernelTuning, type WasmKernelTuning } from '@fmwiss/tensor-runtime';

const QUICK = process.argv.includes('--quick');
const MIN_MS = QUICK ? 300 : 1500;
const MAX_RUNS = QUICK ? 5 : 30;

interface Row {
  kernel: string;
  shape: string;
  impl: string;
  ms: number;
  gflops: number;
}

const rows: Row[] = [];

/**
 * ms per call of `fn` (outputs disposed) after one warm-up call: the best of the samples, since the
 * machine is shared and interference only ever adds time.
 */
function time(fn: () => tf.Tensor | tf.Tensor[]): number {
  tf.dispose(fn());
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < MAX_RUNS && (samples.length < 3 || performance.now() - start < MIN_MS)) {
    const t0 = performance.now();
    tf.dispose(fn());
    samples.push(performance.now() - t0);
  }
  return Math.min(...samples);
}

function record(kernel: string, shape: string, impl: string, flops: number, fn: () => tf.Tensor | tf.Tensor[]): void {
  const ms = time(fn);
  rows.push({ kernel, shape, impl, ms, gflops: flops / ms / 1e6 });
}

function withTuning<T>(tuning: Partial<WasmKernelTuning>, fn: () => T): T {
  const saved = { ...wasmKernelTuning };
  Object.assign(wasmKernelTuning, tuning);
  try {
    return fn();
  } finally {
    Object.assign(wasmKernelTuning, saved);
  }
}

function withStock<T>(kernelName: string, fn: () => T): T {
  const restore = useStockWasmKernels([kernelName]);
  try {
    return fn();
  } finally {
    restore();
  }
}

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  co: number;
  stride: number;
  dilation: number;
}

const CONV_CASES: ConvCase[] = [
  { name: '3x3 s1', x: [8, 32, 32, 64], k: 3, co: 64, stride: 1, dilation: 1 },
  { name: '3x3 s1 d6 (ASPP)', x: [8, 32, 32, 64], k: 3, co: 64, stride: 1, dilation: 6 },
  { name: '3x3 s2', x: [8, 64, 64, 32], k: 3, co: 64, stride: 2, dilation: 1 },
  { name: '1x1 s1 (ASPP proj)', x: [8, 32, 32, 320], k: 1, co: 64, stride: 1, dilation: 1 },
  { name: '3x3 s2 stem', x: [8, 128, 128, 3], k: 3, co: 32, stride: 2, dilation: 1 },
];

function convBench(c: ConvCase): void {
  const [n, , , ci] = c.x;
  const filterShape: [number, number, number, number] = [c.k, c.k, ci, c.co];
  const x = tf.randomNormal(c.x) as tf.Tensor4D;
  const filter = tf.randomNormal(filterShape) as tf.Tensor4D;
  const y = tf.conv2d(x, filter, c.stride, 'same', 'NHWC', c.dilation);
  const [, oh, ow] = y.shape;
  const flops = 2 * n * oh * ow * c.k * c.k * ci * c.co;
  const shape = `${c.name} x[${c.x}] w[${filterShape}]`;
  const attrs = { strides: c.stride, pad: 'same', dataFormat: 'NHWC', dilations: c.dilation };
  const dFilter = () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: y }, { ...attrs, filterShape }) as tf.Tensor;
  const dInput = () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: y, filter }, { ...attrs, inputShape: c.x }) as tf.Tensor;

  record('Conv2D fwd', shape, 'stock (XNNPACK)', flops, () => tf.conv2d(x, filter, c.stride, 'same', 'NHWC', c.dilation));
  record('Conv2DBackpropFilter', shape, 'ours colsT', flops, () => withTuning({ backpropFilterStrategy: 'colsT' }, dFilter));
  record('Conv2DBackpropFilter', shape, 'ours dyT', flops, () => withTuning({ backpropFilterStrategy: 'dyT' }, dFilter));
  record('Conv2DBackpropInput', shape, 'ours auto', flops, () => withTuning({ backpropInputStrategy: 'auto' }, dInput));
  record('Conv2DBackpropInput', shape, 'ours col2im', flops, () => withTuning({ backpropInputStrategy: 'col2im' }, dInput));
  if (c.dilation === 1) {
    record('Conv2DBackpropInput', shape, 'stock wasm', flops, () => withStock(tf.Conv2DBackpropInput, dInput));
  }
  tf.dispose([x, filter, y]);
}

interface MatMulCase {
  name: string;
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

const MATMUL_CASES: MatMulCase[] = [
  { name: 'batched scores', a: [8, 256, 64], b: [8, 64, 256], ta: false, tb: false },
  { name: 'batched q k^T', a: [8, 256, 64], b: [8, 256, 64], ta: false, tb: true },
  { name: 'shared rhs', a: [8, 1024, 64], b: [64, 64], ta: false, tb: false },
  { name: 'grad a^T b', a: [1024, 1024], b: [1024, 1024], ta: true, tb: false },
  { name: 'similarity z z^T', a: [2048, 64], b: [2048, 64], ta: false, tb: true },
  { name: 'tiny batched', a: [64, 16, 16], b: [64, 16, 16], ta: false, tb: true },
];

function matMulBench(c: MatMulCase): void {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  const out = tf.matMul(a, b, c.ta, c.tb);
  const k = c.ta ? c.a[c.a.length - 2] : c.a[c.a.length - 1];
  const flops = 2 * out.size * k;
  const shape = `${c.name} [${c.a}]${c.ta ? 'ᵀ' : ''} x [${c.b}]${c.tb ? 'ᵀ' : ''} -> [${out.shape}]`;
  out.dispose();
  record('BatchMatMul', shape, 'ours', flops, () => tf.matMul(a, b, c.ta, c.tb));
  record('BatchMatMul', shape, 'stock wasm', flops, () => withStock(tf.BatchMatMul, () => tf.matMul(a, b, c.ta, c.tb)));
  tf.dispose([a, b]);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function main(): Promise<void> {
  const info = await initTensorRuntime({ backend: 'wasm' });
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  record('MatMul plain', '[1024,1024] x [1024,1024]', 'stock (XNNPACK)', 2 * 1024 ** 3, () => tf.matMul(a, b));
  tf.dispose([a, b]);
  for (const c of CONV_CASES) convBench(c);
  for (const c of MATMUL_CASES) matMulBench(c);
  const base = rows[0].gflops;
  const out: string[] = [];
  out.push(`backend ${info.tfBackend}, ${info.wasmThreads} thread(s); plain 1024x1024 matmul ${base.toFixed(1)} GFLOP/s`);
  out.push(
    `${pad('kernel', 22)} ${pad('impl', 16)} ${pad('ms', 9, true)} ${pad('GFLOP/s', 8, true)} ${pad('vs mm', 6, true)}  shape`,
  );
  for (const r of rows) {
    out.push(
      `${pad(r.kernel, 22)} ${pad(r.impl, 16)} ${pad(r.ms.toFixed(2), 9, true)} ${pad(r.gflops.toFixed(2), 8, true)} ${pad(
        (r.gflops / base).toFixed(2),
        6,
        true,
      )}  ${r.shape}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
