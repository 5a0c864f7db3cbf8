import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { FallbackHealth, ServiceHealth } from '../fallback/fallback-health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly fallback: FallbackHealth,
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
   * 200 with the service's mode. Degraded mode is reported as data of `up` indicators: the service
   * still answers, and a `down` indicator would make terminus answer 503.
   */
  @Get()
  @HealthCheck()
  @Header('Cache-Control', 'no-store')
  async check(): Promise<ServiceHealth & { status: string }> {
    const report = await this.fallback.report();
    const result = await this.health.check([
      () => {
        const { status: reachable, ...database } = report.database;
        return this.indicators.check('database').up({ reachable, ...database });
      },
      () =>
        this.indicators
          .check('fallback')
          .up({ mode: report.mode, breaker: report.breaker.state, journal: report.journal }),
    ]);
    return { ...report, status: result.status };
  }
}
