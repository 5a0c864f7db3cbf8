import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { DatabaseCircuit } from './database-circuit';
import { FallbackAdminController } from './fallback-admin.controller';
import { FallbackHealth } from './fallback-health';
import { FallbackRegistry } from './fallback-registry';
import { JournalReplayer } from './journal-replayer';
import { lastKnownGoodProviders } from './last-known-good/last-known-good.providers';
import { SnapshotRefresher } from './last-known-good/snapshot-refresher';
import { DatabaseHeartbeat } from './database-heartbeat';
import { WriteJournal } from './write-journal';

/** Keeps the service answering through database outages; see README, "Fallback". */
@Global()
@Module({
  imports: [DatabaseModule],
  controllers: [FallbackAdminController],
  providers: [
    DatabaseCircuit,
    WriteJournal,
    ...lastKnownGoodProviders,
    FallbackRegistry,
    JournalReplayer,
    DatabaseHeartbeat,
    SnapshotRefresher,
    FallbackHealth,
  ],
  exports: [FallbackRegistry, FallbackHealth, DatabaseCircuit, JournalReplayer, WriteJournal, SnapshotRefresher],
})
export class FallbackModule {}
