import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the service keeps what it made or learned once for every later start: `$XDG_CACHE_HOME/school-data-service`. */
export function serviceCacheDirectory(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'school-data-service');
}
