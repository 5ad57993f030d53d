import { orderedConcurrentMap } from './ordered-map';

async function* items<T>(values: T[]): AsyncGenerator<T> {
  for (const value of values) yield value;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('orderedConcurrentMap', () => {
  it('keeps source order while running up to `concurrency` items at once', async () => {
    let running = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10, 2];
    const results = await collect(
      orderedConcurrentMap(items(delays), 3, async (delay, index) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(delay);
        running--;
        return `${index}:${delay}`;
      }),
    );
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:2']);
    expect(peak).toBe(3);
  });

  it('yields the results before a failure, then throws it', async () => {
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const value of orderedConcurrentMap(items([1, 2, 3, 4]), 2, async (v) => {
          if (v === 3) throw new Error('three failed');
          return v;
        })) {
          seen.push(value);
        }
      })(),
    ).rejects.toThrow('three failed');
    expect(seen).toEqual([1, 2]);
  });

  it('takes arrays, and leaves no rejection unhandled when several calls fail', async () => {
    const got: number[] = [];
    const run = async (): Promise<void> => {
      for await (const value of orderedConcurrentMap([1, 2, 3, 4, 5], 3, async (n) => {
        await sleep(n === 2 ? 10 : 1);
        if (n === 2 || n === 3) throw new Error(`failed ${n}`);
        return n;
      })) {
        got.push(value);
      }
    };
    await expect(run()).rejects.toThrow('failed 2');
    expect(got).toEqual([1]);
  });

  it('refuses a concurrency below 1', async () => {
    await expect(collect(orderedConcurrentMap(items([1]), 0, async (v) => v))).rejects.toThrow(/concurrency must be an integer >= 1/);
  });
});
