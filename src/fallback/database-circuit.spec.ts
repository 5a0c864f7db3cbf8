import { Logger } from '@nestjs/common';
import { BrokenCircuitError, IsolatedCircuitError, TaskCancelledError } from 'cockatiel';
import type { FallbackSettings } from '../config/app-config';
import { DatabaseCircuit } from './database-circuit';
import { configWith, databaseFailure, START } from './testing/fallback-test-kit';

function newTestCircuit(settings: Partial<FallbackSettings> = {}) {
  const sut = new DatabaseCircuit(configWith(settings));
  const events = { degraded: jest.fn(), recovered: jest.fn() };
  sut.events.on('degraded', events.degraded);
  sut.events.on('recovered', events.recovered);
  return { sut, events };
}

const succeeding = <T>(value: T) => jest.fn(() => Promise.resolve(value));
const failing = (error: Error = databaseFailure()) => jest.fn(() => Promise.reject(error));
const neverSettling = () => jest.fn(() => new Promise<never>(() => undefined));

async function runDatabaseFailures(
  sut: DatabaseCircuit,
  times: number,
  message?: (attempt: number) => string,
): Promise<void> {
  for (let attempt = 1; attempt <= times; attempt++) {
    await expect(sut.execute(failing(databaseFailure(message?.(attempt))))).rejects.toMatchObject({
      name: 'MongoNetworkError',
    });
  }
}

describe(DatabaseCircuit.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('while closed', () => {
    it('passes a successful result through', async () => {
      const { sut, events } = newTestCircuit();
      const operation = succeeding({ name: 'Hill School' });

      await expect(sut.execute(operation)).resolves.toEqual({ name: 'Hill School' });

      expect(operation).toHaveBeenCalledTimes(1);
      expect(sut.state).toBe('closed');
      expect(sut.open).toBe(false);
      expect(sut.degraded).toBe(false);
      expect(events.degraded).not.toHaveBeenCalled();
    });

    it('passes a non-database error through without counting it toward opening', async () => {
      const { sut, events } = newTestCircuit({ breakerThreshold: 2 });
      const validation = Object.assign(new Error('name is required'), { name: 'ValidationError' });

      for (let attempt = 0; attempt < 5; attempt++) {
        await expect(sut.execute(failing(validation))).rejects.toBe(validation);
      }
      expect(sut.state).toBe('closed');
      expect(sut.degraded).toBe(false);
      expect(sut.lastFailure).toBeUndefined();
      expect(events.degraded).not.toHaveBeenCalled();

      // Had the five errors counted, one database failure would now open the circuit.
      await runDatabaseFailures(sut, 1);
      expect(sut.state).toBe('closed');
    });
  });

  describe('opening', () => {
    it('opens after breakerThreshold consecutive database failures', async () => {
      const { sut } = newTestCircuit({ breakerThreshold: 3 });

      await runDatabaseFailures(sut, 2);
      expect(sut.state).toBe('closed');
      expect(sut.open).toBe(false);

      await runDatabaseFailures(sut, 1);
      expect(sut.state).toBe('open');
      expect(sut.open).toBe(true);
    });

    it('marks degraded from the first database failure and emits degraded once', async () => {
      const { sut, events } = newTestCircuit({ breakerThreshold: 3 });

      await runDatabaseFailures(sut, 1);

      expect(sut.degraded).toBe(true);
      expect(sut.degradedSince).toEqual(START);
      expect(sut.lastFailure).toEqual({
        message: 'MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017',
        at: START,
      });
      expect(events.degraded).toHaveBeenCalledWith('MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017');

      jest.advanceTimersByTime(100);
      await runDatabaseFailures(sut, 2);
      expect(sut.state).toBe('open');
      expect(sut.degradedSince).toEqual(START);
      expect(events.degraded).toHaveBeenCalledTimes(1);
      expect(events.recovered).not.toHaveBeenCalled();
    });

    it('ends degraded mode with a success before the circuit opens, and starts counting again', async () => {
      const { sut, events } = newTestCircuit({ breakerThreshold: 3 });
      await runDatabaseFailures(sut, 2);
      jest.advanceTimersByTime(40);

      await expect(sut.execute(succeeding('ok'))).resolves.toBe('ok');

      expect(sut.degraded).toBe(false);
      expect(events.recovered).toHaveBeenCalledWith(40);
      await runDatabaseFailures(sut, 2);
      expect(sut.state).toBe('closed');
    });

    it('refuses operations at once while open, without running them, and keeps the failure that opened it', async () => {
      const { sut } = newTestCircuit({ breakerThreshold: 3 });
      await runDatabaseFailures(sut, 3, (attempt) => `failure ${attempt}`);
      const opening = { message: 'MongoNetworkError: failure 3', at: START };
      expect(sut.lastFailure).toEqual(opening);
      jest.advanceTimersByTime(100);

      const operation = succeeding('never returned');
      await expect(sut.execute(operation)).rejects.toBeInstanceOf(BrokenCircuitError);

      expect(operation).not.toHaveBeenCalled();
      expect(sut.state).toBe('open');
      expect(sut.lastFailure).toEqual(opening);
    });
  });

  describe('time limit', () => {
    it('counts an operation slower than operationTimeoutMs as a database failure', async () => {
      const { sut, events } = newTestCircuit({ operationTimeoutMs: 750, breakerThreshold: 1 });
      let settled = false;
      const outcome = sut.execute(neverSettling()).finally(() => (settled = true));
      const rejection = expect(outcome).rejects.toBeInstanceOf(TaskCancelledError);

      await jest.advanceTimersByTimeAsync(749);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await rejection;

      expect(sut.state).toBe('open');
      expect(sut.lastFailure).toEqual({ message: 'operation timed out', at: new Date(START.getTime() + 750) });
      expect(events.degraded).toHaveBeenCalledWith('operation timed out');
    });
  });

  describe('half-open', () => {
    async function openedCircuit() {
      const built = newTestCircuit({ breakerThreshold: 2, halfOpenAfterMs: 500 });
      await runDatabaseFailures(built.sut, 2);
      expect(built.sut.state).toBe('open');
      return built;
    }

    it('lets one operation through after halfOpenAfterMs; its success closes the circuit and emits recovered', async () => {
      const { sut, events } = await openedCircuit();

      jest.advanceTimersByTime(499);
      await expect(sut.execute(succeeding('too early'))).rejects.toBeInstanceOf(BrokenCircuitError);
      jest.advanceTimersByTime(1);
      const probe = succeeding('answered');
      await expect(sut.execute(probe)).resolves.toBe('answered');

      expect(probe).toHaveBeenCalledTimes(1);
      expect(sut.state).toBe('closed');
      expect(sut.degraded).toBe(false);
      expect(sut.degradedSince).toBeUndefined();
      expect(events.recovered).toHaveBeenCalledTimes(1);
      expect(events.recovered).toHaveBeenCalledWith(500);
    });

    it('is half-open while the probing operation runs', async () => {
      const { sut } = await openedCircuit();
      jest.advanceTimersByTime(500);
      let answer!: (value: string) => void;
      const answered = new Promise<string>((resolve) => (answer = resolve));
      const probe = sut.execute(() => answered);

      expect(sut.state).toBe('half-open');
      expect(sut.open).toBe(true);

      answer('answered');
      await expect(probe).resolves.toBe('answered');
      expect(sut.state).toBe('closed');
    });

    it('reopens when the probing operation fails', async () => {
      const { sut, events } = await openedCircuit();
      jest.advanceTimersByTime(500);

      await runDatabaseFailures(sut, 1, () => 'still down');

      expect(sut.state).toBe('open');
      expect(sut.degraded).toBe(true);
      expect(sut.degradedSince).toEqual(START);
      expect(sut.lastFailure).toEqual({
        message: 'MongoNetworkError: still down',
        at: new Date(START.getTime() + 500),
      });
      const refused = succeeding('refused');
      await expect(sut.execute(refused)).rejects.toBeInstanceOf(BrokenCircuitError);
      expect(refused).not.toHaveBeenCalled();
      expect(events.degraded).toHaveBeenCalledTimes(1);
      expect(events.recovered).not.toHaveBeenCalled();

      jest.advanceTimersByTime(500);
      await expect(sut.execute(succeeding('back'))).resolves.toBe('back');
      expect(sut.state).toBe('closed');
      expect(events.recovered).toHaveBeenCalledWith(1000);
    });
  });

  describe('drill', () => {
    it('isolates the circuit: degraded on purpose, operations refused without running', async () => {
      const { sut, events } = newTestCircuit();

      sut.startDrill();

      expect(sut.state).toBe('isolated');
      expect(sut.drilling).toBe(true);
      expect(sut.open).toBe(true);
      expect(sut.degraded).toBe(true);
      expect(sut.degradedSince).toEqual(START);
      expect(sut.lastFailure).toEqual({ message: 'drill: degraded mode forced', at: START });
      expect(events.degraded).toHaveBeenCalledTimes(1);
      expect(events.degraded).toHaveBeenCalledWith('drill: degraded mode forced');

      const operation = succeeding('never returned');
      await expect(sut.execute(operation)).rejects.toBeInstanceOf(IsolatedCircuitError);
      expect(operation).not.toHaveBeenCalled();
      expect(sut.lastFailure).toEqual({ message: 'drill: degraded mode forced', at: START });
    });

    it('returns to normal when the drill stops', async () => {
      const { sut, events } = newTestCircuit();
      sut.startDrill();
      jest.advanceTimersByTime(2000);

      sut.stopDrill();

      expect(sut.state).toBe('closed');
      expect(sut.drilling).toBe(false);
      expect(sut.open).toBe(false);
      expect(sut.degraded).toBe(false);
      expect(events.recovered).toHaveBeenCalledWith(2000);
      const operation = succeeding('answered');
      await expect(sut.execute(operation)).resolves.toBe('answered');
      expect(operation).toHaveBeenCalledTimes(1);
    });

    it('starts in drill when the drill setting is on', async () => {
      const { sut } = newTestCircuit({ drill: true });

      expect(sut.state).toBe('isolated');
      expect(sut.drilling).toBe(true);
      expect(sut.degraded).toBe(true);
      const operation = succeeding('never returned');
      await expect(sut.execute(operation)).rejects.toBeInstanceOf(BrokenCircuitError);
      expect(operation).not.toHaveBeenCalled();
    });
  });

  describe('with the breaker disabled (the naive design)', () => {
    it('runs operations without a time limit', async () => {
      const { sut } = newTestCircuit({ breakerEnabled: false, operationTimeoutMs: 750 });
      const slow = jest.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 7500)));

      const outcome = sut.execute(slow);
      await jest.advanceTimersByTimeAsync(7500);

      await expect(outcome).resolves.toBe('late');
      expect(sut.degraded).toBe(false);
    });

    it('never opens: every operation reaches the database, and failures still mark degraded mode', async () => {
      const { sut, events } = newTestCircuit({ breakerEnabled: false, breakerThreshold: 1 });

      const operation = failing();
      for (let attempt = 0; attempt < 5; attempt++) {
        await expect(sut.execute(operation)).rejects.toThrow('ECONNREFUSED');
      }

      expect(operation).toHaveBeenCalledTimes(5);
      expect(sut.state).toBe('closed');
      expect(sut.open).toBe(false);
      expect(sut.degraded).toBe(true);
      expect(events.degraded).toHaveBeenCalledTimes(1);

      jest.advanceTimersByTime(10);
      await expect(sut.execute(succeeding('answered'))).resolves.toBe('answered');
      expect(sut.degraded).toBe(false);
      expect(events.recovered).toHaveBeenCalledWith(10);
    });
  });
});
