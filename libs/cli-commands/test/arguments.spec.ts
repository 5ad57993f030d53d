// --help of every command and argument errors (exit 2 with a message and the usage), in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { toKebabCase } from '@fmwiss/service-kit';
import { findWorkspaceRoot, runCli } from '../src';
import { ablateSchema } from '../src/commands/ablate';
import { demoSchema } from '../src/commands/demo';
import { evalSchema } from '../src/commands/eval';
import { predictSchema } from '../src/commands/predict';
import { runSchema } from '../src/commands/run';
import { captureIo } from './fakes';
import { DEMO_PRESET } from '../src/presets';

describe('fmwiss arguments and help', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fmwiss-args-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...argv: string[]) => {
    const io = captureIo(dir);
    const code = await runCli(argv, io);
    return { code, out: io.stdout.text, err: io.stderr.text };
  };

  it('prints the top-level help with every command and the exit codes', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['demo', 'run', 'serve', 'eval', 'predict', 'ablate']) expect(out).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(out).toMatch(/130 +interrupted/);
  });

  it('refuses a missing or unknown command with exit 2', async () => {
    expect(await cli()).toMatchObject({ code: 2, err: expect.stringMatching(/a command is needed\nUsage: fmwiss <command>/) });
    expect(await cli('train')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "train"/) });
  });

  it.each([
    ['demo', ['--base-epochs', '--incremental-epochs', '--max-eval-images', '--seed', '--work-dir', '--keep-services', `Preset: ${DEMO_PRESET.incrementalEpochs}.`]],
    ['run', ['--task', '--setting', '--data', '--method', '--config-json', '--fusion', '--seeds', '--mass-fraction', '--coordinator', '--clip-image-model', '--vit-model']],
    ['eval', ['--checkpoint', '--data', '--list', '--base-classes', '--new-classes', '--trainer']],
    ['predict', ['--checkpoint', '--image', '--out', '--head <student|teacher>']],
    ['ablate', ['--set', '--parallel', '--task', '--setting', 'fusion, lambda, seeds, copy-paste, teacher']],
  ])('fmwiss %s --help lists its flags, examples and exit codes', async (command, flags) => {
    const { code, out } = await cli(command, '--help');
    expect(code).toBe(0);
    expect(out.startsWith(`Usage: fmwiss ${command}`)).toBe(true);
    for (const flag of flags) expect(out).toContain(flag);
    expect(out).toContain('Examples:');
    expect(out).toContain('Exit codes:');
  });

  it('fmwiss serve --help lists the services', async () => {
    const { code, out } = await cli('serve', '--help');
    expect(code).toBe(0);
    for (const service of ['clip-mask', 'seed-refiner', 'memory-bank', 'trainer', 'coordinator']) expect(out).toContain(`apps/${service}`);
  });

  it.each([
    [['run', '--setting', 'sideways'], /--setting \/ FMWISS_RUN_SETTING: .*sideways/],
    [['run', '--epochs', '3'], /unknown flag --epochs/],
    [['run', '--base-epochs', 'many'], /--base-epochs/],
    [['run', '--task', '99-1'], /--task: unknown task "99-1"/],
    [['run', '--task', 'custom'], /--task custom needs --steps/],
    [['run', '--coordinator', 'nowhere'], /--coordinator: "nowhere" is not a host:port address/],
    [['run', '--coordinator', '10.0.0.1:50055', '--vit-model', 'onnx:x.onnx'], /--vit-model: models are for services the CLI starts/],
    [['run', '--data', '/no/such/dataset'], /--data: no dataset at \/no\/such\/dataset/],
    [['run', '--config-json', '{"fusion":"x"}', '--data', '.'], /--config-json: unknown RunConfig field fusion/],
    [['ablate', '--set', 'fusion,colour'], /--set: unknown "colour"/],
    [['eval'], /--checkpoint/],
    [['eval', '--checkpoint', 'c', '--base-classes', '1-x'], /--base-classes: "1-x"/],
    [['eval', '--checkpoint', 'c', '--base-classes', '1-16', '--new-classes', '16-20'], /classes 16 are both old/],
    [['predict', '--checkpoint', 'c', '--image', 'missing.png', '--out', 'o.png'], /--image: cannot read .*missing.png \(ENOENT\)/],
    [['serve'], /serve needs a SERVICE/],
    [['serve', 'database'], /unknown service "database"; services: clip-mask, seed-refiner, memory-bank, trainer, coordinator/],
  ])('%j is refused with exit 2, a message and the usage', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(new RegExp(`Usage: fmwiss ${argv[0]}`));
  });

  it('docs/cli.md documents every flag of every command', () => {
    const doc = readFileSync(join(findWorkspaceRoot(), 'docs', 'cli.md'), 'utf8');
    for (const [command, schema] of [['demo', demoSchema], ['run', runSchema], ['eval', evalSchema], ['predict', predictSchema], ['ablate', ablateSchema]] as const) {
      expect(doc).toContain(`## fmwiss ${command}`);
      // ablate's table lists its own flags; the rest are run's, which the doc says apply.
      const section = doc.slice(doc.indexOf(`## fmwiss ${command}`)) + (command === 'ablate' ? doc.slice(doc.indexOf('## fmwiss run'), doc.indexOf('## fmwiss serve')) : '');
      const missing = Object.keys(schema.shape).filter((key) => !section.includes(`--${toKebabCase(key)}`) && !section.includes(`--[no-]${toKebabCase(key)}`));
      expect({ command, missing }).toEqual({ command, missing: [] });
    }
  });
});
