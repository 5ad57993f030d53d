// A trainer for `eval` and `predict`: the one at --trainer, or one started here (state in a
// temporary folder unless --work-dir) and stopped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrainerServiceClient } from '@fmwiss/contracts';
import type { CliIo } from './cli-io';
import type { CommandDeps } from './deps';
import { workerServiceSpec } from './local-services';
import { ServiceGroup } from './service-group';

export async function withTrainer<T>(
  options: { address?: string; workDir?: string; io: CliIo; deps: CommandDeps },
  body: (client: TrainerServiceClient) => Promise<T>,
): Promise<T> {
  const { io, deps } = options;
  if (options.address) {
    const client = deps.trainerClient(options.address);
    try {
      return await body(client);
    } finally {
      client.close();
    }
  }
  const temporary = options.workDir ? undefined : mkdtempSync(join(tmpdir(), 'fmwiss-trainer-'));
  const workDir = options.workDir ? resolve(io.cwd, options.workDir) : (temporary as string);
  const group = new ServiceGroup(deps.launcher(join(workDir, 'logs')));
  try {
    io.stderr.write('starting a trainer on 127.0.0.1 ...\n');
    const [trainer] = await group.startStage([workerServiceSpec('trainer', { workDir })]);
    const client = deps.trainerClient((trainer as { address: string }).address);
    try {
      return await body(client);
    } finally {
      client.close();
    }
  } finally {
    await group.stopAll();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}
