import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnlyGuard } from '../security/admin-only.guard';
import { StatusReporter, type StatusReport } from './status-report';

/** The data of the status page (GET /status), for the page and for scripts (admins). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminOnlyGuard)
@Controller('admin/status')
export class StatusController {
  constructor(private readonly reporter: StatusReporter) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Mode, breaker, journal outcomes, last-known-good tier, learned deadlines, and answers per second by source ' +
      'with their p50/p99 latency over the last 15 minutes',
  })
  async status(): Promise<StatusReport> {
    return this.reporter.report();
  }
}
