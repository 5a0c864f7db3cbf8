import { Controller, Get, Header, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../config/app-config';
import { FallbackHealth, ServiceHealth } from '../fallback/fallback-health';
import { httpStatusOf, INDICATOR_KEYS, overallHealthStatus } from './health-status';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { JournalHealthIndicator } from './indicators/journal.health';
import { RedisHealthIndicator } from './indicators/redis.health';

export type HealthReport = ServiceHealth & HealthCheckResult;

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  /** Each indicator's last status, so that a change is logged once rather than on every probe. */
  private readonly lastStatuses = new Map<string, string>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly fallback: FallbackHealth,
    private readonly config: AppConfig,
    private readonly database: DatabaseHealthIndicator,
    private readonly journal: JournalHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** 200 while the process runs. */
  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 while the service can answer, from the database or from backup data. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(): Promise<{ status: 'ok' }> {
    if (!(await this.fallback.canServe()))
      throw new ServiceUnavailableException('database unavailable and fallback disabled');
    return { status: 'ok' };
  }

  /**
   * The service's mode and each dependency's indicator. 200 while the service answers, also in degraded
   * mode with the database down; 503 when it cannot (see overallHealthStatus).
   */
  @Get()
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const [report, result] = await Promise.all([this.fallback.report(), this.runIndicators()]);
    this.logChanges(result);
    const status = overallHealthStatus(result, this.config.fallback.enabled);
    reply.status(httpStatusOf(status));
    return { ...report, ...result, status };
  }

  private async runIndicators(): Promise<HealthCheckResult> {
    const indicators: HealthIndicatorFunction[] = [
      () => this.database.isHealthy(INDICATOR_KEYS.database),
      () => this.journal.isHealthy(INDICATOR_KEYS.journal),
    ];
    if (this.redis.configured) indicators.push(() => this.redis.isHealthy(INDICATOR_KEYS.redis));
    try {
      return await this.health.check(indicators);
    } catch (error) {
      // Terminus throws its whole result as a 503 as soon as one indicator is down; what /health answers
      // then is decided by overallHealthStatus.
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }

  private logChanges({ details }: HealthCheckResult): void {
    for (const [key, detail] of Object.entries(details)) {
      const before = this.lastStatuses.get(key);
      this.lastStatuses.set(key, detail.status);
      if (before === detail.status) continue;
      if (detail.status === 'down') this.logger.warn(`${key} is down: ${String(detail.message)}`);
      else if (before !== undefined) this.logger.log(`${key} is ${detail.status} again`);
    }
  }
}
