/**
 * Knobs of the wasm kernels. The defaults are what measured fastest on a 2-core x86 machine
 * (tools/bench/kernels.ts); the alternatives stay selectable so the benchmark can compare them.
 */
export interface WasmKernelTuning {
  /** Largest im2col / col buffer in float32 elements; bigger batches are processed in chunks of images. */
  im2colMaxElements: number;
  /**
   * Conv2DBackpropFilter: 'colsT' builds the transposed im2col [KH*KW*CI, rows] and runs
   * colsT x dy; 'dyT' builds im2col [rows, KH*KW*CI] (for a 1x1 filter: x itself, no copy),
   * transposes dy and runs dyT x cols, then transposes the small result; 'auto' is colsT (dyT
   * makes XNNPACK pack x, a new tensor every training step, as the rhs: slower even for 1x1
   * filters once x is transposed by the stock kernel). colsT is built and multiplied one filter tap
   * ([CI, rows]; a few taps for tiny CI) at a time, so the block is still in cache for the matmul.
   * Its rows: stride 1, ordered (oh, n, ow), padding rows of wide dilations left out of the
   * matmuls; strided, x split into stride phases (H, W multiples of the stride) so every tap is a
   * shifted copy.
   */
  backpropFilterStrategy: 'auto' | 'colsT' | 'dyT';
  /**
   * Conv2DBackpropInput: 'auto' runs stride-1 cases as a forward convolution of dy with the
   * flipped filter (XNNPACK, no col2im), strided undilated ones with at least 8 input channels as
   * one such convolution per input phase (interleaved back), the rest as dy x W^T + col2im;
   * 'col2im' always uses the latter.
   */
  backpropInputStrategy: 'auto' | 'col2im';
  /** BatchMatMul: below this many multiply-adds per batch item the stock kernel's loop is used. */
  batchMatMulMinMacsPerItem: number;
}

export const wasmKernelTuning: WasmKernelTuning = {
  im2colMaxElements: 1 << 24,
  backpropFilterStrategy: 'auto',
  backpropInputStrategy: 'auto',
  batchMatMulMinMacsPerItem: 16384,
};
