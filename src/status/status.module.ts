import { Module } from '@nestjs/common';
import { AnswerCounters } from './answer-counters';
import { StatusController } from './status.controller';
import { StatusReporter } from './status-report';

/** The operators' status page (GET /status) and its data (GET /api/admin/status); see README, "Fallback". */
@Module({
  controllers: [StatusController],
  providers: [{ provide: AnswerCounters, useFactory: () => new AnswerCounters() }, StatusReporter],
  exports: [AnswerCounters],
})
export class StatusModule {}
