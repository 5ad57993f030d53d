import { SharedFlights } from './shared-flight';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('SharedFlights', () => {
  it('runs the work once for concurrent callers of a key, and passes notices to each', async () => {
    const flights = new SharedFlights<string, number>();
    const gate = deferred<void>();
    let runs = 0;
    const heard: Record<string, number[]> = { a: [], b: [] };
    const work = async (_signal: AbortSignal, notify: (n: number) => void) => {
      runs++;
      await gate.promise;
      notify(7);
      return 'done';
    };
    const joins: boolean[] = [];
    const a = flights.join('k', work, { signal: new AbortController().signal, onNotice: (n) => heard.a!.push(n), onJoin: (s) => joins.push(s) });
    const b = flights.join('k', work, { signal: new AbortController().signal, onNotice: (n) => heard.b!.push(n), onJoin: (s) => joins.push(s) });
    expect(flights.has('k')).toBe(true);
    gate.resolve();
    await expect(Promise.all([a, b])).resolves.toEqual(['done', 'done']);
    expect(runs).toBe(1);
    expect(joins).toEqual([true, false]);
    expect(heard).toEqual({ a: [7], b: [7] });
    expect(flights.has('k')).toBe(false);
  });

  it('keeps the work going while one caller remains, and aborts it (then settles) when the last one leaves', async () => {
    const flights = new SharedFlights<string, never>();
    const events: string[] = [];
    const work = (signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          events.push('work aborted');
          setTimeout(() => {
            events.push('work cleaned up');
            reject(signal.reason);
          }, 5);
        });
      });
    const first = new AbortController();
    const second = new AbortController();
    const a = flights.join('k', work, { signal: first.signal });
    const b = flights.join('k', work, { signal: second.signal });
    first.abort(new Error('a left'));
    await expect(a).rejects.toThrow('a left');
    expect(events).toEqual([]);
    second.abort(new Error('b left'));
    await expect(b).rejects.toThrow('b left');
    expect(events).toEqual(['work aborted', 'work cleaned up']);
  });
});
