import { AsyncLocalStorage } from 'node:async_hooks';

export type DataSource = 'database' | 'fallback';

/** What one request's answer was made of; collected while it runs, read when the response is sent. */
export class RequestDataSource {
  /** Collections answered from backup data. */
  readonly fallbackCollections = new Set<string>();
  writeQueued = false;

  get source(): DataSource {
    return this.fallbackCollections.size > 0 || this.writeQueued ? 'fallback' : 'database';
  }
}

const storage = new AsyncLocalStorage<RequestDataSource>();

/** Runs `next` with a fresh RequestDataSource as the current request's. */
export function runWithDataSource<R>(context: RequestDataSource, next: () => R): R {
  return storage.run(context, next);
}

/** The current request's RequestDataSource, if the code runs inside a request. */
export function currentDataSource(): RequestDataSource | undefined {
  return storage.getStore();
}
