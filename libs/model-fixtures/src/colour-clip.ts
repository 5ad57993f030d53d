// A "CLIP" whose answers are known in closed form: its dense embedding of a patch is the patch's mean
// colour (RGB in [0,1]), and its text embedding of a sentence is the sum of the colour words in it
// (red = (1,0,0), green = (0,1,0), blue = (0,0,1), gray = (1,1,1)); every other word is (0,0,0).
// So the cosine score of a patch for class "red" is r / |rgb|, exactly.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { GraphBuilder, writeModel } from '@fmwiss/onnx-format';

export const COLOUR_CLIP_INPUT_SIZE = 32;
export const COLOUR_CLIP_PATCH_SIZE = 8;
export const COLOUR_CLIP_CONTEXT_LENGTH = 12;

/** The colour words and their embeddings. */
export const COLOUR_WORDS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  gray: [1, 1, 1],
};

/** The word vocabulary: specials, the colour words, then filler words the default templates use. */
function vocabulary(): string[] {
  const specials = ['<pad>', '<start>', '<end>', '<unk>'];
  return [...specials, ...Object.keys(COLOUR_WORDS), 'a', 'photo', 'of', 'the', 'there', 'is', 'in', 'scene'];
}

/** `clip-image/1`: pixels [B,3,32,32] (mean 0, std 1) -> dense_embeddings [B,4,4,3] = patch means; global_embedding [B,3]. */
export function colourClipImageModel(): Uint8Array {
  const g = new GraphBuilder('colour_clip_image');
  const pixels = g.input('pixels', 'float32', ['B', 3, COLOUR_CLIP_INPUT_SIZE, COLOUR_CLIP_INPUT_SIZE]);
  const pooled = g.node('AveragePool', [pixels], { kernel_shape: [COLOUR_CLIP_PATCH_SIZE, COLOUR_CLIP_PATCH_SIZE], strides: [COLOUR_CLIP_PATCH_SIZE, COLOUR_CLIP_PATCH_SIZE] });
  const grid = COLOUR_CLIP_INPUT_SIZE / COLOUR_CLIP_PATCH_SIZE;
  g.output(g.node('Transpose', [pooled], { perm: [0, 2, 3, 1] }), 'dense_embeddings', 'float32', ['B', grid, grid, 3]);
  g.output(g.node('ReduceMean', [pixels], { axes: [2, 3], keepdims: 0 }), 'global_embedding', 'float32', ['B', 3]);
  return writeModel(g, {
    opset: 17,
    producer: { name: 'fmwiss-model-fixtures' },
    metadata: {
      'fmwiss.contract': 'clip-image/1',
      'fmwiss.input_size': String(COLOUR_CLIP_INPUT_SIZE),
      'fmwiss.patch_size': String(COLOUR_CLIP_PATCH_SIZE),
      'fmwiss.mean': '0,0,0',
      'fmwiss.std': '1,1,1',
      'fmwiss.embedding_dim': '3',
    },
  });
}

/** `clip-text/1`: token_ids int64 [B,12] -> text_embedding [B,3] = sum of the tokens' colour vectors. */
export function colourClipTextModel(tokenizerFile: string): Uint8Array {
  const vocab = vocabulary();
  const table = new Float32Array(vocab.length * 3) /* [V,3] */;
  vocab.forEach((word, id) => {
    const colour = COLOUR_WORDS[word];
    if (colour) table.set(colour, id * 3);
  });
  const g = new GraphBuilder('colour_clip_text');
  const ids = g.input('token_ids', 'int64', ['B', COLOUR_CLIP_CONTEXT_LENGTH]);
  const embedded = g.node('Gather', [g.initializer('colour_table', table, [vocab.length, 3]), ids], { axis: 0 }) /* [B,L,3] */;
  g.output(g.node('ReduceSum', [embedded, g.initializer('sum_axes', BigInt64Array.of(1n), [1])], { keepdims: 0 }), 'text_embedding', 'float32', ['B', 3]);
  return writeModel(g, {
    opset: 17,
    producer: { name: 'fmwiss-model-fixtures' },
    metadata: {
      'fmwiss.contract': 'clip-text/1',
      'fmwiss.context_length': String(COLOUR_CLIP_CONTEXT_LENGTH),
      'fmwiss.embedding_dim': '3',
      'fmwiss.tokenizer': tokenizerFile,
    },
  });
}

/** The `word` tokenizer file of the colour text model. */
export function colourClipTokenizer(): object {
  return { type: 'word', vocab: vocabulary(), start_token: '<start>', end_token: '<end>', pad_token: '<pad>', unknown_token: '<unk>', lowercase: true };
}

/** Writes clip-image.onnx, clip-text.onnx and clip-text.tokenizer.json into `dir`; returns their paths. */
export async function writeColourClip(dir: string): Promise<{ imagePath: string; textPath: string; tokenizerPath: string }> {
  await mkdir(dir, { recursive: true });
  const imagePath = path.join(dir, 'clip-image.onnx');
  const textPath = path.join(dir, 'clip-text.onnx');
  const tokenizerPath = path.join(dir, 'clip-text.tokenizer.json');
  await writeFile(imagePath, colourClipImageModel());
  await writeFile(textPath, colourClipTextModel(path.basename(tokenizerPath)));
  await writeFile(tokenizerPath, JSON.stringify(colourClipTokenizer(), null, 2));
  return { imagePath, textPath, tokenizerPath };
}
