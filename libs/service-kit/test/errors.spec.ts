// toStatusError and the AppError hierarchy, without a server.
import * as grpc from '@grpc/grpc-js';
import { AppError, InvalidArgumentError, NotFoundError, isAppError, toStatusError } from '../src';
import { APP_ERRORS } from './fixtures/echo';

describe('errors', () => {
  it.each(Object.entries(APP_ERRORS))('%sError is an AppError with its own code and name', (kind, ErrorClass) => {
    const err = new ErrorClass('msg');
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(`${kind}Error`);
    expect(grpc.status[err.code]).toBe(kind.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
    expect(toStatusError(err, 'r')).toEqual({ code: err.code, details: 'msg' });
  });

  it('keeps a cause', () => {
    const cause = new Error('root');
    expect(new NotFoundError('missing', { cause }).cause).toBe(cause);
  });

  it('keeps code and details of a ServiceError-like value', () => {
    expect(toStatusError({ code: grpc.status.UNAVAILABLE, details: 'down', message: '14 UNAVAILABLE: down' }, 'r')).toEqual({
      code: grpc.status.UNAVAILABLE,
      details: 'down',
    });
  });

  it('turns anything else into INTERNAL naming the request id, never UNKNOWN', () => {
    const expected = { code: grpc.status.INTERNAL, details: 'internal error (request id req-9); see the server log' };
    for (const thrown of [new Error('boom'), 'str', 42, null, undefined, { code: 'ENOENT' }, { code: 99 }, { code: 0 }]) {
      expect(toStatusError(thrown, 'req-9')).toEqual(expected);
    }
  });

  it('isAppError tells AppErrors apart', () => {
    expect(isAppError(new InvalidArgumentError('x'))).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError({ code: 3, message: 'x' })).toBe(false);
  });
});
