import { Controller, Delete, Get, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InvalidInputError } from '../common/errors/domain-errors';
import { AdminOnlyGuard } from '../security/admin-only.guard';
import { DatabaseCircuit } from './database-circuit';
import { FallbackHealth, ServiceHealth } from './fallback-health';
import { JournalEntry, JournalStatus, WriteJournal } from './write-journal';

const LISTABLE_STATUSES: readonly JournalStatus[] = ['failed', 'pending'];

/** For operators during an outage (admins): the fallback's state, the write journal, and drill mode. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminOnlyGuard)
@Controller('admin/fallback')
export class FallbackAdminController {
  constructor(
    private readonly health: FallbackHealth,
    private readonly journal: WriteJournal,
    private readonly circuit: DatabaseCircuit,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Degraded or not, since when and why; breaker, fallback answers, journal' })
  async status(): Promise<ServiceHealth> {
    return this.health.report();
  }

  @Get('journal')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Journalled writes that could not be applied (default) or still wait' })
  @ApiQuery({ name: 'status', enum: LISTABLE_STATUSES, required: false })
  journalEntries(@Query('status') status: string = 'failed'): { status: JournalStatus; entries: JournalEntry[] } {
    if (!LISTABLE_STATUSES.includes(status as JournalStatus)) {
      throw new InvalidInputError(`status must be one of ${LISTABLE_STATUSES.join(', ')}`, 'status');
    }
    const entries = status === 'failed' ? this.journal.failed() : this.journal.pending();
    return { status: status as JournalStatus, entries };
  }

  @Post('drill')
  @HttpCode(200)
  @ApiOperation({ summary: 'Starts a drill: degraded mode without touching the database' })
  async startDrill(): Promise<ServiceHealth> {
    this.circuit.startDrill();
    return this.health.report();
  }

  @Delete('drill')
  @ApiOperation({ summary: 'Ends the drill' })
  async stopDrill(): Promise<ServiceHealth> {
    this.circuit.stopDrill();
    return this.health.report();
  }
}
