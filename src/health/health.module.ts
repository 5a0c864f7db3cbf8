import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { DatabaseModule } from '../database/database.module';
import { HealthController } from './health.controller';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { JournalHealthIndicator } from './indicators/journal.health';
import { RedisHealthIndicator } from './indicators/redis.health';

@Module({
  // Terminus would log every failing probe as an error; HealthController logs each change once instead.
  imports: [TerminusModule.forRoot({ logger: false }), DatabaseModule, SubscriptionsModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, JournalHealthIndicator, RedisHealthIndicator],
})
export class HealthModule {}
