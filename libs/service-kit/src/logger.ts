// The structured JSON logger every service uses (pino): one line per event, `service` and `pid` on each.
import * as grpc from '@grpc/grpc-js';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type LogLevel = Level | 'silent';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];

export interface CreateLoggerOptions {
  /** Service or app name, logged as `service`. */
  name: string;
  level?: LogLevel;
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { service: options.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * Sends grpc-js's own diagnostics (by default console.error lines) to `logger` as `grpcLog` lines.
 * grpc-js keeps one logger per process, so call this once, from a service's main.
 */
export function routeGrpcLogs(logger: Logger): void {
  const log =
    (level: 'error' | 'warn' | 'info') =>
    (...args: unknown[]) =>
      logger[level]({ grpcLog: true }, args.map(String).join(' '));
  grpc.setLogger({ error: log('error'), warn: log('warn'), info: log('info'), debug: log('info') });
}

export type { Logger };
