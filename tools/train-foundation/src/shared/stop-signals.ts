// SIGINT / SIGTERM as a stop request: the loop finishes its step, writes a checkpoint and returns.
// A second signal exits at once (the last checkpoint stays valid: saves are atomic).

export interface StopSignals {
  requested(): boolean;
  /** The signal that asked to stop, if any. */
  signal(): NodeJS.Signals | null;
  dispose(): void;
}

export function listenForStop(onFirst: (signal: NodeJS.Signals) => void): StopSignals {
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (received !== null) process.exit(130);
    received = signal;
    onFirst(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => received !== null,
    signal: () => received,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
