import { mongo } from 'mongoose';
import {
  CircuitOpenError,
  DatabaseStalledError,
  DatabaseTimeoutError,
  describeFailure,
  isDatabaseFailure,
  isRefusal,
} from './database-failure';

function systemError(code: string, message = `connect ${code} 127.0.0.1:27017`): Error {
  return Object.assign(new Error(message), { code });
}

const { MongoNetworkError, MongoNetworkTimeoutError, MongoServerError } = mongo;

function serverError(code: number, message: string): mongo.MongoServerError {
  return new MongoServerError({ code, errmsg: message, ok: 0 });
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('database failures', () => {
  it.each([
    ['a refused connection', systemError('ECONNREFUSED')],
    ['a reset connection', systemError('ECONNRESET', 'read ECONNRESET')],
    ['a socket the server ended', systemError('EPIPE', 'This socket has been ended by the other party')],
    ['a network error of the driver', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    ['no server to select: refused', named('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017')],
    ["Mongoose's closed connection", named('MongooseError', 'Connection was force closed')],
  ])('%s is a failure and a refusal: the breaker opens at once', (_case, error) => {
    expect(isDatabaseFailure(error)).toBe(true);
    expect(isRefusal(error)).toBe(true);
  });

  it.each([
    ['a network timeout', new MongoNetworkTimeoutError('connection timed out')],
    ['no server selected in time', named('MongoServerSelectionError', 'Server selection timed out after 5000 ms')],
    ['an operation over its time limit', serverError(50, 'operation exceeded time limit')],
    ['a primary stepping down', serverError(189, 'primary stepped down')],
    ['a system timeout', systemError('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:27017')],
    ['the ceiling', new DatabaseTimeoutError(5000)],
    ['a stall', new DatabaseStalledError('heartbeat: no answer to ping within 300 ms')],
    ['the open breaker', new CircuitOpenError()],
  ])('%s is a failure but not a refusal: slow, not gone', (_case, error) => {
    expect(isDatabaseFailure(error)).toBe(true);
    expect(isRefusal(error)).toBe(false);
  });

  it.each([
    ['a duplicate key', serverError(11000, 'E11000 duplicate key error')],
    ['a validation error', named('ValidationError', 'Validation failed')],
    ['a bad cast', named('CastError', 'Cast to ObjectId failed')],
    ['a plain error', new Error('something else')],
    ['no object at all', 'a string'],
  ])('%s is the request’s own error, never answered from backup data', (_case, error) => {
    expect(isDatabaseFailure(error)).toBe(false);
    expect(isRefusal(error)).toBe(false);
  });

  it('says what went wrong in one line', () => {
    expect(describeFailure(new MongoNetworkError('connection closed\nat somewhere'))).toBe(
      'MongoNetworkError: connection closed',
    );
    expect(describeFailure(new DatabaseTimeoutError(5000))).toBe('operation timed out after 5000 ms');
  });
});
