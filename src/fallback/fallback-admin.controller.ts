import { Controller, Delete, Get, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InvalidInputError } from '../common/errors/domain-errors';
import { AdminOnlyGuard } from '../security/admin-only.guard';
import { DatabaseCircuit } from './database-circuit';
import { FallbackHealth, ServiceHealth } from './fallback-health';
import { JournalEntry, JournalStatus, WriteJournal } from './write-journal';

const LISTABLE_STATUSES: readonly JournalStatus[] = ['failed', 'superseded', 'pending'];
/** By default: the writes that did not take effect, refused by the database or superseded by later writes. */
const DEFAULT_STATUSES = 'failed,superseded';

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
  @ApiOperation({
    summary: 'Journalled writes that failed or were superseded by later writes (default), or still wait',
  })
  @ApiQuery({
    name: 'status',
    required: false,
    description: `One or more of ${LISTABLE_STATUSES.join(', ')}, separated by commas (default ${DEFAULT_STATUSES})`,
  })
  journalEntries(@Query('status') status: unknown = DEFAULT_STATUSES): { status: string; entries: JournalEntry[] } {
    const statuses = (typeof status === 'string' ? status.split(',') : []) as JournalStatus[];
    if (typeof status !== 'string' || !statuses.every((one) => LISTABLE_STATUSES.includes(one))) {
      throw new InvalidInputError(`status must be one or more of ${LISTABLE_STATUSES.join(', ')}`, 'status');
    }
    return { status, entries: this.journal.withStatus([...new Set(statuses)]) };
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
