/**
 * The quick-start demo until the whole pipeline exists: starts the memory-bank service as a child
 * process on 127.0.0.1, checks its health and reflection, fills an archive with synthetic instances
 * through a streamed Put, prints the statistics, samples instances back, writes them as a contact
 * sheet, deletes the archive and shuts the server down with SIGTERM.
 *
 *   npm run demo [-- --out DIR --instances N --capacity B --keep]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  FMWISS_SERVICE_NAMES,
  MemoryBankServiceClient,
  type PutRequest,
  type PutResponse,
  type SampleResponse,
} from '@fmwiss/contracts';
import { synthesizeInstance } from '@fmwiss/memory-archive';
import {
  bidiStream,
  checkHealth,
  createClient,
  listServicesByReflection,
  serverStream,
  startChildService,
  unary,
} from '@fmwiss/service-kit';

const WORKSPACE_ROOT = resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'tmp/memory-bank-demo' },
      instances: { type: 'string', default: '300' },
      capacity: { type: 'string', default: '12' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run demo -- [--out DIR] [--instances N] [--capacity B] [--keep]
  --out DIR        where the contact sheet of sampled instances goes (default tmp/memory-bank-demo)
  --instances N    instances offered to the archive (default 300)
  --capacity B     instances kept per class (default 12)
  --keep           keep the archive database (in DIR) instead of a temporary one`);
    return;
  }
  const total = positiveInt(values.instances, '--instances');
  const capacity = positiveInt(values.capacity, '--capacity');
  const outDir = resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const dataDir = values.keep ? outDir : mkdtempSync(join(tmpdir(), 'fmwiss-demo-'));

  console.log('fmwiss demo: the memory-bank service (the full pipeline demo arrives with the trainer and coordinator)');
  console.log('1. starting apps/memory-bank as a child process on 127.0.0.1 ...');
  const child = await startChildService({
    entry: join(WORKSPACE_ROOT, 'apps/memory-bank/src/main.ts'),
    args: ['--port', '0', '--database-path', join(dataDir, 'archives.sqlite')],
    cwd: WORKSPACE_ROOT,
  });
  const address = `127.0.0.1:${child.port}`;
  const client = createClient(MemoryBankServiceClient, { address, deadlineMs: 30_000 });
  try {
    console.log(`   serving on ${address} (pid ${child.process.pid})`);
    console.log(`2. health: ${await checkHealth(address, FMWISS_SERVICE_NAMES.memoryBank)}`);
    console.log(`   reflection lists: ${(await listServicesByReflection(address)).join(', ')}`);

    const runId = `demo-${Date.now()}`;
    await unary(client, 'createArchive', { runId, capacityPerClass: capacity, seed: 7, classIds: [] });
    console.log(`3. created archive '${runId}' (B = ${capacity} per class); offering ${total} instances of 5 classes ...`);
    const acks = await offerInstances(client, runId, total);
    const kept = acks.filter((a) => a.stored).length;
    console.log(`   ${acks.length} acknowledged, ${kept} stored at the time of their offer (reservoir sampling)`);

    const stats = await unary(client, 'getStats', { runId });
    console.log('4. archive statistics:');
    console.log('   class  offered  stored  bytes');
    for (const c of stats.classes) {
      console.log(`   ${String(c.classId).padStart(5)}  ${String(c.offered).padStart(7)}  ${String(c.stored).padStart(6)}  ${c.bytes}`);
    }

    const draws = await sampleAll(client, { runId, classIds: [1, 3, 5], count: 12, seed: 1 });
    const again = await sampleAll(client, { runId, classIds: [1, 3, 5], count: 12, seed: 1 });
    const same = draws.every((d, i) => d.instance!.instanceId === again[i]!.instance!.instanceId);
    console.log(`5. sampled 12 instances of classes 1, 3, 5 (seed 1): ${draws.map((d) => d.instance!.instanceId).join(' ')}`);
    console.log(`   the same request again gives the same draws: ${same ? 'yes' : 'NO'}`);
    const sheet = join(outDir, 'sampled-instances.png');
    await writeContactSheet(draws, sheet);
    console.log(`   contact sheet (crop over mask, per draw): ${sheet}`);

    const deleted = await unary(client, 'deleteArchive', { runId, allowMissing: false });
    console.log(`6. deleted the archive (${deleted.deletedInstances} instances)`);
  } finally {
    client.close();
    child.process.kill('SIGTERM');
    const code = await child.exited;
    console.log(`7. server stopped on SIGTERM (exit code ${code})`);
    if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got '${text}'`);
  return value;
}

async function offerInstances(client: MemoryBankServiceClient, runId: string, total: number): Promise<PutResponse[]> {
  async function* requests(): AsyncGenerator<PutRequest> {
    yield { item: { $case: 'header', header: { runId } } };
    for (let i = 0; i < total; i++) {
      const instance = await synthesizeInstance({ classId: 1 + (i % 5), seed: i, sourceImageId: `synthetic-${i}` });
      yield { item: { $case: 'instance', instance } };
    }
  }
  const acks: PutResponse[] = [];
  for await (const ack of bidiStream(client, 'put', requests())) {
    acks.push(ack);
    if (acks.length % 50 === 0 || acks.length === total) process.stdout.write(`\r   acknowledged ${acks.length}/${total}`);
  }
  process.stdout.write('\n');
  return acks;
}

async function sampleAll(
  client: MemoryBankServiceClient,
  request: { runId: string; classIds: number[]; count: number; seed: number },
): Promise<SampleResponse[]> {
  const responses: SampleResponse[] = [];
  for await (const response of serverStream(client, 'sample', { ...request, weighting: 0, withoutReplacement: false })) {
    responses.push(response);
  }
  return responses;
}

/** One column per draw: the crop on top, its mask below, each scaled to 64x64. */
async function writeContactSheet(draws: SampleResponse[], path: string): Promise<void> {
  const cell = 64;
  const tiles = await Promise.all(
    draws.flatMap((d, i) => [
      { input: Buffer.from(d.instance!.instance!.image!.data), left: i * cell, top: 0 },
      { input: Buffer.from(d.instance!.instance!.mask!.data), left: i * cell, top: cell },
    ].map(async (t) => ({ ...t, input: await sharp(t.input).resize(cell, cell, { kernel: 'nearest' }).png().toBuffer() }))),
  );
  await sharp({ create: { width: cell * draws.length, height: 2 * cell, channels: 3, background: '#202020' } })
    .composite(tiles)
    .png()
    .toFile(path);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
