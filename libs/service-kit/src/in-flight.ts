// Admission of application calls: counts the calls in flight and, once the server drains,
// refuses new ones with UNAVAILABLE. Implemented as a grpc-js server interceptor, so it covers
// every registered application service however its handlers were written; health and reflection
// are never counted nor refused.
import * as grpc from '@grpc/grpc-js';

export const SHUTTING_DOWN_MESSAGE = 'server is shutting down';

export interface Admission {
  /** Server interceptor to pass in the grpc.Server options. */
  readonly interceptor: grpc.ServerInterceptor;
  /** Application calls started and not yet ended. */
  inFlight(): number;
  /** From now on, new application calls get UNAVAILABLE; calls in flight go on. */
  refuseNewCalls(): void;
  /** Resolves true when no call is in flight, or false once `timeoutMs` has passed first. */
  whenIdle(timeoutMs: number): Promise<boolean>;
}

/** The service part of a method path: '/pkg.Service/Method' → 'pkg.Service'. */
function serviceOf(path: string): string {
  return path.slice(1, path.lastIndexOf('/'));
}

export function createAdmission(applicationServices: Iterable<string>): Admission {
  const guarded = new Set(applicationServices);
  let count = 0;
  let refusing = false;
  const idleWaiters = new Set<() => void>();

  const release = () => {
    count -= 1;
    if (count === 0) for (const wake of [...idleWaiters]) wake();
  };

  const interceptor: grpc.ServerInterceptor = (methodDescriptor, call) => {
    if (!guarded.has(serviceOf(methodDescriptor.path))) return new grpc.ServerInterceptingCall(call);
    let admitted = false;
    let released = false;
    const end = () => {
      if (!admitted || released) return;
      released = true;
      release();
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            if (refusing) {
              call.sendStatus({ code: grpc.status.UNAVAILABLE, details: SHUTTING_DOWN_MESSAGE });
              return;
            }
            admitted = true;
            count += 1;
            nextMetadata(metadata);
          },
          // grpc-js calls onCancel once for every call that ends, cancelled or not.
          onCancel: end,
        });
      },
      sendStatus: (status, next) => {
        next(status);
        end();
      },
    });
  };

  return {
    interceptor,
    inFlight: () => count,
    refuseNewCalls: () => {
      refusing = true;
    },
    whenIdle: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (count === 0) return resolve(true);
        const done = (idle: boolean) => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve(idle);
        };
        const wake = () => done(true);
        const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
        idleWaiters.add(wake);
      }),
  };
}
