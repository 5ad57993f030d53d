// implementService over a real server: the four call shapes, error codes, request ids, log lines,
// backpressure and client cancellation.
import type { UntypedClient } from '../src';
import * as grpc from '@grpc/grpc-js';
import { bidiStream, clientStream, serverStream, unary, CancelledError, REQUEST_ID_HEADER } from '../src';
import { APP_ERRORS, type EchoRequest, type EchoResponse, type FailRequest, type StreamRequest } from './fixtures/echo';
import { captureLogger, startEcho, type EchoServer } from './fixtures/harness';

const INTERNAL_DETAILS = /^internal error \(request id [A-Za-z0-9._:-]+\); see the server log$/;

function request(message: string, fail = ''): EchoRequest {
  return { message, payload: Buffer.alloc(0), fail };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function withRequestId(id: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(REQUEST_ID_HEADER, id);
  return metadata;
}

describe('implementService', () => {
  let echo: EchoServer;
  let logs: Array<Record<string, unknown>>;
  let client: UntypedClient;

  beforeAll(async () => {
    const captured = captureLogger();
    logs = captured.lines;
    echo = await startEcho({}, captured.logger);
    client = echo.client({ retry: { maxAttempts: 1 } });
  });
  afterAll(() => echo.close());

  describe('the four call shapes', () => {
    it('answers unary calls', async () => {
      const res = await unary<EchoRequest, EchoResponse>(client, 'Unary', request('hello'));
      expect(res).toMatchObject({ message: 'hello', count: 1 });
    });

    it('streams server responses', async () => {
      const res = await collect(serverStream<StreamRequest, EchoResponse>(client, 'ServerStream', { message: 'm', count: 3, fail: '' }));
      expect(res.map((r) => r.message)).toEqual(['m 0', 'm 1', 'm 2']);
    });

    it('reads client streams', async () => {
      const res = await clientStream<EchoRequest, EchoResponse>(client, 'ClientStream', [request('a'), request('b'), request('c')]);
      expect(res).toMatchObject({ message: 'a,b,c', count: 3 });
    });

    it('talks both ways on bidi calls', async () => {
      async function* requests() {
        yield request('x');
        yield request('y');
      }
      const res = await collect(bidiStream<EchoRequest, EchoResponse>(client, 'Bidi', requests()));
      expect(res.map((r) => [r.message, r.count])).toEqual([
        ['x', 1],
        ['y', 2],
      ]);
    });
  });

  describe('error codes', () => {
    it.each(Object.entries(APP_ERRORS))('%s arrives with its code and message', async (kind, ErrorClass) => {
      const expected = new ErrorClass('because').code;
      await expect(unary<FailRequest, EchoResponse>(client, 'Fail', { kind, message: `${kind} because` })).rejects.toMatchObject({
        code: expected,
        details: `${kind} because`,
      });
    });

    it('maps a plain Error to INTERNAL carrying the request id, not UNKNOWN, and hides its message', async () => {
      const err = await unary<FailRequest, EchoResponse>(client, 'Fail', { kind: 'plain', message: 'boom' }, { metadata: withRequestId('req-plain-1') }).catch(
        (e: grpc.ServiceError) => e,
      );
      expect(err).toMatchObject({ code: grpc.status.INTERNAL, details: 'internal error (request id req-plain-1); see the server log' });
      expect((err as grpc.ServiceError).details).not.toContain('boom');
    });

    it('maps a thrown non-Error value to INTERNAL', async () => {
      await expect(unary<FailRequest, EchoResponse>(client, 'Fail', { kind: 'string', message: 'a string' })).rejects.toMatchObject({
        code: grpc.status.INTERNAL,
        details: expect.stringMatching(INTERNAL_DETAILS),
      });
    });

    it('keeps the code and details of a downstream call failure', async () => {
      await expect(unary<FailRequest, EchoResponse>(client, 'Fail', { kind: 'status', message: 'no such seed' })).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
        details: 'no such seed',
      });
    });

    it('ends a server stream with the error after the responses sent so far', async () => {
      const received: string[] = [];
      const consume = async () => {
        for await (const res of serverStream<StreamRequest, EchoResponse>(client, 'ServerStream', { message: 'm', count: 2, fail: 'NotFound' })) {
          received.push(res.message);
        }
      };
      await expect(consume()).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: 'm' });
      expect(received).toEqual(['m 0', 'm 1']);
    });

    it('fails a client stream with the thrown code', async () => {
      await expect(
        clientStream<EchoRequest, EchoResponse>(client, 'ClientStream', [request('a'), request('bad', 'InvalidArgument')]),
      ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'bad' });
    });

    it('fails a bidi stream with the thrown code, INTERNAL for a plain Error', async () => {
      await expect(collect(bidiStream<EchoRequest, EchoResponse>(client, 'Bidi', [request('a'), request('b', 'FailedPrecondition')]))).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
      });
      await expect(collect(bidiStream<EchoRequest, EchoResponse>(client, 'Bidi', [request('a'), request('boom', 'plain')]))).rejects.toMatchObject({
        code: grpc.status.INTERNAL,
        details: expect.stringMatching(INTERNAL_DETAILS),
      });
    });

    it('fails a unary call with a thrown ResourceExhausted', async () => {
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', request('full', 'ResourceExhausted'))).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: 'full',
      });
    });
  });

  describe('request ids', () => {
    it('echoes a supplied x-request-id in the response metadata and the context', async () => {
      let echoed: grpc.MetadataValue[] = [];
      const res = await unary<EchoRequest, EchoResponse>(client, 'Unary', request('id'), {
        metadata: withRequestId('client-req-42'),
        onMetadata: (metadata) => (echoed = metadata.get(REQUEST_ID_HEADER)),
      });
      expect(echoed).toEqual(['client-req-42']);
      expect(res.requestId).toBe('client-req-42');
    });

    it('replaces a missing or insane request id with a UUID', async () => {
      for (const metadata of [new grpc.Metadata(), withRequestId('x'.repeat(129)), withRequestId('bad id!')]) {
        let echoed: grpc.MetadataValue[] = [];
        const res = await unary<EchoRequest, EchoResponse>(client, 'Unary', request('id'), {
          metadata,
          onMetadata: (md) => (echoed = md.get(REQUEST_ID_HEADER)),
        });
        expect(res.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(echoed).toEqual([res.requestId]);
      }
    });
  });

  it('logs one line per call with method, code, duration and request id', async () => {
    await unary<EchoRequest, EchoResponse>(client, 'Unary', request('log me'), { metadata: withRequestId('log-line-1') });
    await unary<FailRequest, EchoResponse>(client, 'Fail', { kind: 'plain', message: 'kaputt' }, { metadata: withRequestId('log-line-2') }).catch(() => undefined);
    const ok = logs.filter((line) => line['requestId'] === 'log-line-1');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ method: 'kit.test.v1.Echo/Unary', code: 'OK', service: 'kit-test', msg: 'call finished' });
    expect(typeof ok[0]?.['durationMs']).toBe('number');
    const failed = logs.filter((line) => line['requestId'] === 'log-line-2');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ method: 'kit.test.v1.Echo/Fail', code: 'INTERNAL', level: 50 });
    expect(JSON.stringify(failed[0]?.['err'])).toContain('kaputt');
  });

  describe('streams and cancellation', () => {
    it('streams many large responses to a slow reader (backpressure)', async () => {
      let count = 0;
      for await (const res of serverStream<StreamRequest, EchoResponse>(client, 'ServerStream', { message: 'x'.repeat(16 * 1024), count: 400, fail: '' })) {
        count += 1;
        if (count % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(res.count).toBe(count - 1);
      }
      expect(count).toBe(400);
    });

    it('stops sending when the client goes away mid-stream: send() rejects with CancelledError', async () => {
      const before = echo.probe.sendErrors.length;
      let received = 0;
      for await (const _res of serverStream<StreamRequest, EchoResponse>(client, 'ServerStream', { message: 'y'.repeat(64 * 1024), count: 100_000, fail: '' })) {
        received += 1;
        if (received === 3) break;
      }
      await echo.probe.until(() => echo.probe.sendErrors.length > before);
      expect(echo.probe.sendErrors[before]).toBeInstanceOf(CancelledError);
      // The server is still healthy afterwards.
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', request('still here'))).resolves.toMatchObject({ message: 'still here' });
    });

    it('survives a client stream cancelled mid-way: the client sees CANCELLED, nothing stays in flight', async () => {
      // grpc-js clients send END_STREAM before RST_STREAM on cancel, so the handler may see either a
      // normal end of requests (its answer is then dropped) or a CancelledError: both are fine here.
      const controller = new AbortController();
      async function* requests() {
        yield request('first');
        await new Promise((resolve) => setTimeout(resolve, 300));
        yield request('late');
      }
      const call = clientStream<EchoRequest, EchoResponse>(client, 'ClientStream', requests(), { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(call).rejects.toMatchObject({ code: grpc.status.CANCELLED });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await echo.probe.until(() => echo.server.inFlight() === 0);
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', request('after'))).resolves.toMatchObject({ message: 'after' });
    });

    it('survives a bidi call cancelled by the client mid-stream', async () => {
      const controller = new AbortController();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      async function* requests() {
        yield request('first');
        await gate;
      }
      const responses: string[] = [];
      const consume = async () => {
        for await (const res of bidiStream<EchoRequest, EchoResponse>(client, 'Bidi', requests(), { signal: controller.signal })) {
          responses.push(res.message);
          controller.abort();
        }
      };
      await expect(consume()).rejects.toMatchObject({ code: grpc.status.CANCELLED });
      release();
      expect(responses).toEqual(['first']);
      await echo.probe.until(() => echo.server.inFlight() === 0);
    });

    it('cancels a unary call from an AbortSignal: the client sees CANCELLED, the handler its signal abort', async () => {
      const before = echo.probe.aborted.length;
      const controller = new AbortController();
      const call = unary(client, 'Sleep', { ms: 10_000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(call).rejects.toMatchObject({ code: grpc.status.CANCELLED });
      await echo.probe.until(() => echo.probe.aborted.length > before);
      expect(echo.probe.aborted[before]).toBeInstanceOf(CancelledError);
      await echo.probe.until(() => echo.server.inFlight() === 0);
    });
  });
});
