// A "self-supervised ViT" whose last-block attention is known in closed form and ignores the image:
// the query of patch p attends uniformly to the patches within Chebyshev distance `radius` of p
// (clipped at the grid's border) in head 0, and to p alone in head 1. The class token attends
// uniformly to every patch, and no query attends to the class token.
import { writeFile } from 'node:fs/promises';

import { GraphBuilder, writeModel } from '@fmwiss/onnx-format';

export interface BlobVitOptions {
  /** S, the input side in pixels (default 64). */
  inputSize?: number;
  /** Patch side (default 8): the grid is S / patch. */
  patchSize?: number;
  /** Blob radius in patches for head 0 (default 1). */
  radius?: number;
}

/** The attention [n=2,T,T] of the blob ViT, T = 1 + g*g. */
export function blobAttention(grid: number, radius: number): Float32Array {
  const tokens = 1 + grid * grid;
  const attention = new Float32Array(2 * tokens * tokens);
  for (let q = 0; q < grid * grid; q++) {
    const qy = Math.floor(q / grid);
    const qx = q % grid;
    const blob: number[] = [];
    for (let k = 0; k < grid * grid; k++) {
      if (Math.abs(Math.floor(k / grid) - qy) <= radius && Math.abs((k % grid) - qx) <= radius) blob.push(k);
    }
    for (const k of blob) attention[(1 + q) * tokens + 1 + k] = 1 / blob.length;
    attention[tokens * tokens + (1 + q) * tokens + 1 + q] = 1;
  }
  for (const head of [0, 1]) for (let k = 0; k < grid * grid; k++) attention[head * tokens * tokens + 1 + k] = 1 / (grid * grid);
  return attention;
}

/** `vit-attention/1`: pixels [B,3,S,S] -> attention [B,2,T,T] (the blob, for every image), patch_grid [2]. */
export function blobVitModel(options: BlobVitOptions = {}): Uint8Array {
  const inputSize = options.inputSize ?? 64;
  const patchSize = options.patchSize ?? 8;
  const grid = inputSize / patchSize;
  const tokens = 1 + grid * grid;
  const g = new GraphBuilder('blob_vit');
  const pixels = g.input('pixels', 'float32', ['B', 3, inputSize, inputSize]);
  const blob = g.initializer('blob', blobAttention(grid, options.radius ?? 1), [1, 2, tokens, tokens]);
  // Output shape [B,2,T,T]: B read from the input, so the output follows the batch.
  const batch = g.node('Slice', [g.node('Shape', [pixels]), g.initializer('start', BigInt64Array.of(0n)), g.initializer('end', BigInt64Array.of(1n))]);
  const shape = g.node('Concat', [batch, g.initializer('head_token_dims', BigInt64Array.of(2n, BigInt(tokens), BigInt(tokens)))], { axis: 0 });
  g.output(g.node('Expand', [blob, shape]), 'attention', 'float32', ['B', 2, tokens, tokens]);
  g.output(g.node('Identity', [g.initializer('grid_value', BigInt64Array.of(BigInt(grid), BigInt(grid)))]), 'patch_grid', 'int64', [2]);
  return writeModel(g, {
    opset: 17,
    producer: { name: 'fmwiss-model-fixtures' },
    metadata: {
      'fmwiss.contract': 'vit-attention/1',
      'fmwiss.input_size': String(inputSize),
      'fmwiss.patch_size': String(patchSize),
      'fmwiss.mean': '0.485,0.456,0.406',
      'fmwiss.std': '0.229,0.224,0.225',
      'fmwiss.prefix_tokens': '1',
    },
  });
}

export async function writeBlobVit(file: string, options: BlobVitOptions = {}): Promise<string> {
  await writeFile(file, blobVitModel(options));
  return file;
}
