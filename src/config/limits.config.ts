import { z } from 'zod';
import { boolean, commaSeparated, integer, matching } from './environment-variables';

/** Abuse limits: request rates, client addresses behind proxies, browser origins (see README, "Security"). */
export const limitsConfig = z
  .object({
    RATE_LIMIT_ENABLED: boolean().default(true),
    RATE_LIMIT_WINDOW_MS: integer({ min: 100, max: 3_600_000 }).default(1000),
    RATE_LIMIT_PER_CREDENTIAL: integer({ min: 1, max: 1_000_000 }).default(1000),
    RATE_LIMIT_PER_ADDRESS: integer({ min: 1, max: 1_000_000 }).default(100),
    RATE_LIMIT_REDIS_TIMEOUT_MS: integer({ min: 1, max: 5000 }).default(50),
    TRUST_PROXY: matching(
      /^(\d{1,2}|true|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'must be true, a hop count, or a comma-separated list of proxy addresses or CIDR ranges',
    ).optional(),
    CORS_ORIGINS: matching(
      /^(\*|https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*)$/,
      'must be * or a comma-separated list of origins such as https://app.example.org',
    ).optional(),
  })
  .transform((variables) => ({
    rateLimitEnabled: variables.RATE_LIMIT_ENABLED,
    rateLimitWindowMs: variables.RATE_LIMIT_WINDOW_MS,
    /** Requests per window for one authenticated subject. */
    perCredential: variables.RATE_LIMIT_PER_CREDENTIAL,
    /** Requests per window for one anonymous client address. */
    perAddress: variables.RATE_LIMIT_PER_ADDRESS,
    /** With REDIS_URL: how long a request waits for Redis's count before this instance counts it alone. */
    redisTimeoutMs: variables.RATE_LIMIT_REDIS_TIMEOUT_MS,
    /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe; false: none. */
    trustProxy: trustProxy(variables.TRUST_PROXY),
    /** Browser origins allowed by CORS; empty: none; `*`: any. */
    corsOrigins: corsOrigins(variables.CORS_ORIGINS),
  }));

export type LimitSettings = Readonly<z.output<typeof limitsConfig>>;

function trustProxy(setting: string | undefined): boolean | number | string[] {
  if (setting === undefined) return false;
  if (setting === 'true') return true;
  if (/^\d+$/.test(setting)) return Number(setting);
  return commaSeparated(setting);
}

function corsOrigins(setting: string | undefined): string[] | '*' {
  if (setting === undefined) return [];
  if (setting === '*') return '*';
  return commaSeparated(setting);
}
