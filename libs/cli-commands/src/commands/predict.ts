// fmwiss predict: segments one image with a checkpoint (student or teacher head) through
// TrainerService.Predict and writes the label map as a VOC-palette PNG.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ImageFormat, MapEncoding, PredictionHead, type ClassSpec } from '@fmwiss/contracts';
import { encodeLabelPng, type LabelImage } from '@fmwiss/imaging';
import { decodeLabelMapMessage } from '@fmwiss/message-codecs';
import { unary } from '@fmwiss/service-kit';
import { z } from 'zod';
import type { CliIo } from '../cli-io';
import { parseCommandArgs, usageProblem, type CommandInfo } from '../command-args';
import type { CommandDeps } from '../deps';
import { requiredString } from '../flags';
import { ExitCode } from '../exit-codes';
import { withTrainer } from '../trainer-access';
import { checkAddress } from '../value-parsers';

export const predictSchema = z.object({
  checkpoint: requiredString().describe('A checkpoint folder (e.g. a run\'s checkpoints/step-1/final).'),
  image: requiredString().describe('The image to segment (PNG or JPEG).'),
  out: requiredString().describe('Where the label map is written: a PNG in the VOC palette, class ids as palette indices.'),
  head: z.enum(['student', 'teacher']).default('student').describe('student: the step\'s model; teacher: the plug-in teacher of a weak step\'s checkpoint.'),
  trainer: z.string().optional().describe('host:port of a running trainer; default: one is started here and stopped afterwards.'),
  workDir: z.string().optional().describe('State and log folder of a trainer started here (default: a temporary folder).'),
});

export const PREDICT_INFO: CommandInfo = {
  name: 'predict',
  summary: 'segment one image with a checkpoint; write the label map PNG',
  description:
    'Segments one image with a checkpoint through TrainerService.Predict and writes the label map (one class id per pixel, VOC palette) at the image\'s size, then prints the share of the image each class covers.',
  synopsis: ['predict --checkpoint DIR --image FILE --out FILE.png [--head student|teacher] [--trainer HOST:PORT]'],
  examples: [
    'fmwiss predict --checkpoint runs/demo/runs/<run id>/checkpoints/step-1/final --image data/fmwiss-world/VOCdevkit/VOC2012/JPEGImages/val_000001.jpg --out tmp/prediction.png',
    'fmwiss predict --checkpoint ckpt/final --image photo.jpg --out teacher.png --head teacher --trainer 127.0.0.1:50054',
  ],
};

/** "background 71.2%, person 20.1%": classes by share of the pixels, largest first. */
export function describeLabelShares(labels: LabelImage, classes: readonly ClassSpec[]): string {
  const counts = new Map<number, number>();
  for (const value of labels.data) counts.set(value, (counts.get(value) ?? 0) + 1);
  const total = labels.data.length;
  const name = (id: number) => classes.find((c) => c.id === id)?.name ?? (id === 0 ? 'background' : id === 255 ? 'ignore' : `class ${id}`);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([id, count]) => `${name(id)} ${((count * 100) / total).toFixed(1)}%`)
    .join(', ');
}

export async function predictCommand(argv: readonly string[], io: CliIo, deps: CommandDeps): Promise<number> {
  const parsed = parseCommandArgs(predictSchema, argv, PREDICT_INFO, io.env);
  if ('help' in parsed) {
    io.stdout.write(parsed.help);
    return ExitCode.OK;
  }
  const flags = parsed.values;
  if (flags.trainer) {
    try {
      checkAddress(flags.trainer, '--trainer');
    } catch (error) {
      throw usageProblem(PREDICT_INFO, (error as Error).message);
    }
  }
  const imagePath = resolve(io.cwd, flags.image);
  let bytes: Buffer;
  try {
    bytes = await readFile(imagePath);
  } catch (error) {
    throw usageProblem(PREDICT_INFO, `--image: cannot read ${imagePath} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const outPath = resolve(io.cwd, flags.out);
  const response = await withTrainer({ address: flags.trainer, workDir: flags.workDir, io, deps }, (client) =>
    unary(
      client,
      'predict',
      {
        checkpoint: resolve(io.cwd, flags.checkpoint),
        image: { source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_UNSPECIFIED, data: bytes } }, imageId: basename(imagePath) },
        includeProbabilities: false,
        encoding: MapEncoding.MAP_ENCODING_UNSPECIFIED,
        head: flags.head === 'teacher' ? PredictionHead.PREDICTION_HEAD_TEACHER : PredictionHead.PREDICTION_HEAD_STUDENT,
      },
      { signal: io.signal, deadlineMs: 300_000 },
    ),
  );
  const labels = decodeLabelMapMessage(response.labels, 'the prediction');
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, encodeLabelPng(labels));
  io.stdout.write(`wrote ${outPath} (${labels.width}x${labels.height}, ${flags.head}): ${describeLabelShares(labels, response.classes)}\n`);
  return ExitCode.OK;
}
