import { Logger } from '@nestjs/common';
import type { FallbackSettings } from '../config/app-config';
import { DatabaseCircuit } from './database-circuit';
import { CircuitIsolatedError, CircuitOpenError, DatabaseStalledError, DatabaseTimeoutError } from './database-failure';
import { configWith, databaseFailure, START } from './testing/fallback-test-kit';

function newTestCircuit(settings: Partial<FallbackSettings> = {}) {
  const sut = new DatabaseCircuit(configWith(settings));
  const events = { degraded: jest.fn(), recovered: jest.fn() };
  sut.events.on('degraded', events.degraded);
  sut.events.on('recovered', events.recovered);
  return { sut, events };
}

/** A failure that says the database cannot serve now, without saying it is gone (not a refusal). */
const transientFailure = (message = 'interrupted at shutdown') =>
  Object.assign(new Error(message), { name: 'MongoServerError', code: 11600 });
const succeeding = <T>(value: T) => jest.fn(() => Promise.resolve(value));
const failing = (error: Error = databaseFailure()) => jest.fn(() => Promise.reject(error));
const neverSettling = () => jest.fn(() => new Promise<never>(() => undefined));

async function runDatabaseFailures(
  sut: DatabaseCircuit,
  times: number,
  message?: (attempt: number) => string,
): Promise<void> {
  for (let attempt = 1; attempt <= times; attempt++) {
    await expect(sut.execute(failing(transientFailure(message?.(attempt))))).rejects.toMatchObject({
      name: 'MongoServerError',
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
      expect(sut.lastFailure).toEqual({ message: 'MongoServerError: interrupted at shutdown', at: START });
      expect(events.degraded).toHaveBeenCalledWith('MongoServerError: interrupted at shutdown');

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
      const opening = { message: 'MongoServerError: failure 3', at: START };
      expect(sut.lastFailure).toEqual(opening);
      jest.advanceTimersByTime(100);

      const operation = succeeding('never returned');
      await expect(sut.execute(operation)).rejects.toBeInstanceOf(CircuitOpenError);

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
      const rejection = expect(outcome).rejects.toBeInstanceOf(DatabaseTimeoutError);

      await jest.advanceTimersByTimeAsync(749);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await rejection;

      expect(sut.state).toBe('open');
      const message = 'operation timed out after 750 ms';
      expect(sut.lastFailure).toEqual({ message, at: new Date(START.getTime() + 750) });
      expect(events.degraded).toHaveBeenCalledWith(message);
    });
  });

  describe('refusal, stall and the heartbeat', () => {
    it('opens at once when the database refuses the connection', async () => {
      const { sut } = newTestCircuit({ breakerThreshold: 3 });
      await expect(sut.execute(failing(databaseFailure()))).rejects.toMatchObject({ name: 'MongoNetworkError' });
      expect(sut.state).toBe('open');
    });

    it('stays open however long: no request is let through as a probe; the heartbeat closes it', async () => {
      const { sut, events } = newTestCircuit({ breakerThreshold: 2 });
      await runDatabaseFailures(sut, 2);
      jest.advanceTimersByTime(60_000);
      const refused = succeeding('refused');
      await expect(sut.execute(refused)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(refused).not.toHaveBeenCalled();

      sut.probeSucceeded();
      expect(sut.state).toBe('closed');
      expect(sut.degraded).toBe(false);
      expect(events.recovered).toHaveBeenCalledWith(60_000);
      await expect(sut.execute(succeeding('back'))).resolves.toBe('back');
    });

    it('a stall opens it and answers every operation in flight at once, without waiting for the ceiling', async () => {
      const { sut, events } = newTestCircuit({ operationTimeoutMs: 5000 });
      const stalledEvents = jest.fn();
      sut.events.on('stalled', stalledEvents);
      const first = sut.execute(neverSettling());
      const second = sut.execute(neverSettling());
      expect(sut.inFlight).toBe(2);

      sut.stalled('heartbeat: no answer to ping within 50 ms');

      await expect(first).rejects.toBeInstanceOf(DatabaseStalledError);
      await expect(second).rejects.toBeInstanceOf(DatabaseStalledError);
      expect(sut.inFlight).toBe(0);
      expect(sut.state).toBe('open');
      expect(sut.lastStall).toEqual({ message: 'heartbeat: no answer to ping within 50 ms', at: START });
      expect(events.degraded).toHaveBeenCalledWith('heartbeat: no answer to ping within 50 ms');
      expect(stalledEvents).toHaveBeenCalledTimes(1);
      sut.stalled('again');
      expect(stalledEvents).toHaveBeenCalledTimes(1);
    });

    it('lets a write wait for its ceiling at a stall, and a replay wait for what was abandoned to end', async () => {
      const { sut } = newTestCircuit({ operationTimeoutMs: 5000 });
      let land!: () => void;
      const write = sut.execute(() => new Promise<void>((resolve) => (land = resolve)), 'teachers.update', {
        write: true,
      });
      sut.stalled('heartbeat');
      expect(sut.inFlight).toBe(1);
      const timedOut = expect(write).rejects.toBeInstanceOf(DatabaseTimeoutError);
      await jest.advanceTimersByTimeAsync(5000);
      await timedOut;

      let settled = false;
      const waiting = sut.abandonedSettled(60_000).then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(1000);
      expect(settled).toBe(false);
      land();
      await waiting;
      expect(settled).toBe(true);
    });

    it("learns each operation's deadline from the operations that ended, not from those abandoned", async () => {
      const { sut } = newTestCircuit({ operationTimeoutMs: 5000, deadlineMultiple: 4, deadlineFloorMs: 10 });
      expect(sut.deadlineMs('teachers.findById')).toBe(5000);
      for (let index = 0; index < 40; index++) {
        const answer = sut.execute(() => new Promise((resolve) => setTimeout(resolve, 20)), 'teachers.findById');
        await jest.advanceTimersByTimeAsync(20);
        await answer;
      }
      expect(sut.deadlineMs('teachers.findById')).toBe(80);
      expect(sut.deadlineMs('teachers.aggregate')).toBe(5000);

      // An operation abandoned at a stall ends long after: its time measures the fault, and teaches nothing.
      let finish!: () => void;
      const hung = sut.execute(() => new Promise<void>((resolve) => (finish = resolve)), 'teachers.findById');
      sut.stalled('heartbeat');
      await expect(hung).rejects.toBeInstanceOf(DatabaseStalledError);
      await jest.advanceTimersByTimeAsync(3000);
      finish();
      await Promise.resolve();
      sut.probeSucceeded();
      for (let index = 0; index < 16; index++) {
        const answer = sut.execute(() => new Promise((resolve) => setTimeout(resolve, 20)), 'teachers.findById');
        await jest.advanceTimersByTimeAsync(20);
        await answer;
      }
      expect(sut.deadlineMs('teachers.findById')).toBe(80);
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
      await expect(sut.execute(operation)).rejects.toBeInstanceOf(CircuitIsolatedError);
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
      await expect(sut.execute(operation)).rejects.toBeInstanceOf(CircuitIsolatedError);
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
