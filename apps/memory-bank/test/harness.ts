import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { MemoryBankServiceClient, type PutRequest, type PutResponse, type SampleRequest, type SampleResponse } from '@fmwiss/contracts';
import { bidiStream, createClient, serverStream, type RunningServer } from '@fmwiss/service-kit';
import { memoryBankConfigSchema } from '../src/config';
import { startMemoryBank } from '../src/server';

export interface Harness {
  server: RunningServer;
  client: MemoryBankServiceClient;
  dir: string;
  close(): Promise<void>;
}

/** A memory-bank server on 127.0.0.1 (ephemeral port, temporary database) and a client of it. */
export async function startHarness(overrides: Record<string, unknown> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'memory-bank-test-'));
  const config = memoryBankConfigSchema.parse({ port: 0, databasePath: join(dir, 'archives.sqlite'), durability: 'normal', ...overrides });
  const server = await startMemoryBank(config, pino({ level: 'silent' }));
  const client = memoryBankClient(server.port);
  return {
    server,
    client,
    dir,
    async close() {
      client.close();
      await server.shutdown('test done');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const memoryBankClient = (port: number): MemoryBankServiceClient =>
  createClient(MemoryBankServiceClient, { address: `127.0.0.1:${port}`, deadlineMs: 20_000 });

/** Sends every request of a Put stream, collecting the acks into `acks`; rejects with the stream's error. */
export async function put(client: MemoryBankServiceClient, requests: PutRequest[], acks: PutResponse[] = []): Promise<PutResponse[]> {
  for await (const ack of bidiStream(client, 'put', requests)) acks.push(ack);
  return acks;
}

export async function sample(client: MemoryBankServiceClient, request: Partial<SampleRequest>): Promise<SampleResponse[]> {
  const responses: SampleResponse[] = [];
  const full: SampleRequest = { runId: '', classIds: [], count: 0, weighting: 0, withoutReplacement: false, ...request };
  for await (const response of serverStream(client, 'sample', full)) responses.push(response);
  return responses;
}

export const header = (runId: string): PutRequest => ({ item: { $case: 'header', header: { runId } } });
