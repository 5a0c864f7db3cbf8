import { Logger } from '@nestjs/common';
import type { AppConfig, FallbackSettings } from '../../config/app-config';
import { loadAppConfig } from '../../config/app-config';
import { WriteJournal } from '../write-journal';

/** The moment the fallback specs' fake clocks start at. */
export const START = new Date('2026-11-30T12:00:00Z');

/** The documented fallback settings (a journal in memory), changed by `settings`: the one place that knows where they live in AppConfig. */
export function configWith(settings: Partial<FallbackSettings> = {}): AppConfig {
  const fallback: FallbackSettings = { ...loadAppConfig({ FALLBACK_JOURNAL_PATH: ':memory:' }).fallback, ...settings };
  return { fallback } as Pick<AppConfig, 'fallback'> as AppConfig;
}

/** What the MongoDB driver throws when the server refuses the connection. */
export function databaseFailure(message = 'connect ECONNREFUSED 127.0.0.1:27017'): Error {
  const error = new Error(message);
  error.name = 'MongoNetworkError';
  return error;
}

/** The faults of a fake database: down with an error, or every call held until released. */
export function newDatabaseFaults() {
  let failure: Error | undefined;
  let gate: Promise<void> | undefined;
  return {
    /** Awaited by each fake call before it answers: waits while held, then throws while down. */
    async pass(): Promise<void> {
      await gate;
      if (failure) throw failure;
    },
    goDown: (error: Error = databaseFailure()) => (failure = error),
    comeBack: () => (failure = undefined),
    /** Holds every call until released. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

/**
 * For a describe block of the fallback specs: each test runs on fake timers from START with Nest's logs silent
 * (`logs.warn` keeps the warnings' calls), and the journals it opened with `openJournal` are closed after it.
 */
export function fallbackTestLifecycle(): {
  openJournal(config: AppConfig): WriteJournal;
  logs: { warn: jest.SpyInstance };
} {
  const journals: WriteJournal[] = [];
  const logs = {} as { warn: jest.SpyInstance };
  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    logs.warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    for (const level of ['log', 'error'] as const)
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  // A replayer's interval lives on the fake clock, which useRealTimers discards.
  afterEach(() => {
    for (const journal of journals.splice(0)) journal.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });
  return {
    openJournal: (config) => {
      const journal = new WriteJournal(config);
      journals.push(journal);
      return journal;
    },
    logs,
  };
}
