// Graceful termination: health goes NOT_SERVING, new application calls are refused, calls in
// flight get a grace period, then the server closes (forcefully if they are still running).
// Also: SIGTERM/SIGINT wiring for a process that runs one server.
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ServerHealth } from './health';
import type { Admission } from './in-flight';

export interface GracefulShutdownParts {
  server: grpc.Server;
  health: ServerHealth;
  admission: Admission;
  logger: Logger;
  drainDelayMs: number;
  shutdownGraceMs: number;
}

/** Once in-flight calls reach zero, how long tryShutdown may wait for other streams (e.g. health Watch) at least. */
const MIN_CLOSE_WAIT_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The shutdown sequence: (1) health NOT_SERVING; (2) wait drainDelayMs, still accepting calls;
 * (3) refuse new application calls with UNAVAILABLE (health and reflection still answer);
 * (4) wait for calls in flight, at most shutdownGraceMs; (5) tryShutdown, and forceShutdown
 * (cancelling whatever still runs) when the grace period is over.
 */
export async function gracefulShutdown(parts: GracefulShutdownParts, reason: string): Promise<void> {
  const { server, health, admission, logger, drainDelayMs, shutdownGraceMs } = parts;
  logger.info({ reason, inFlight: admission.inFlight() }, 'shutdown: health set to NOT_SERVING');
  health.setNotServing();

  if (drainDelayMs > 0) {
    logger.info({ drainDelayMs }, 'shutdown: still accepting calls while clients notice NOT_SERVING');
    await sleep(drainDelayMs);
  }

  admission.refuseNewCalls();
  const graceEnds = Date.now() + shutdownGraceMs;
  logger.info({ inFlight: admission.inFlight(), shutdownGraceMs }, 'shutdown: refusing new calls, waiting for calls in flight');
  const idle = await admission.whenIdle(shutdownGraceMs);

  await new Promise<void>((resolve) => {
    let done = false;
    let forceTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(forceTimer);
      resolve();
    };
    const force = () => {
      logger.warn({ inFlight: admission.inFlight() }, 'shutdown: grace period over, cancelling what still runs');
      server.forceShutdown();
      setImmediate(finish);
    };
    if (idle) logger.info('shutdown: no calls in flight, closing');
    server.tryShutdown(finish);
    if (!idle) force();
    else if (!done) forceTimer = setTimeout(force, Math.max(graceEnds - Date.now(), MIN_CLOSE_WAIT_MS));
  });
  logger.info('shutdown: server closed');
}

/** What installShutdownSignals needs from `process` (injectable for tests). */
export interface SignalTarget {
  on(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code?: number): void;
}

export interface Shutdownable {
  shutdown(reason?: string): Promise<void>;
}

/**
 * On SIGTERM or SIGINT, shuts the server down once and exits 0 when it is done (1 if shutdown
 * failed); a second signal exits 1 at once. Returns a function that removes the handlers.
 */
export function installShutdownSignals(server: Shutdownable, logger: Logger, target: SignalTarget = process): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      target.exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'signal received: shutting down');
    server.shutdown(`signal ${signal}`).then(
      () => target.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        target.exit(1);
      },
    );
  };
  target.on('SIGTERM', onSignal);
  target.on('SIGINT', onSignal);
  return () => {
    target.off('SIGTERM', onSignal);
    target.off('SIGINT', onSignal);
  };
}
