import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SchoolModule } from '../school/school.module';
import { TeacherModule } from '../teacher/teacher.module';
import { HeadmasterController } from './headmaster.controller';
import { HeadmasterResolver, SchoolHeadmasterResolver } from './headmaster.resolver';
import { HeadmasterService } from './headmaster.service';
import { HEADMASTER_STORE, HeadmasterRepository } from './persistence/headmaster.repository';
import { HeadmasterRecord, HeadmasterSchema } from './persistence/headmaster.schema';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: HeadmasterRecord.name, schema: HeadmasterSchema }]),
    SchoolModule,
    TeacherModule,
  ],
  controllers: [HeadmasterController],
  providers: [
    collectionStoreProvider(
      HEADMASTER_STORE,
      HeadmasterRecord.name,
      'headmaster',
      join(__dirname, 'persistence', 'fixtures', 'headmasters.json'),
    ),
    HeadmasterRepository,
    HeadmasterService,
    HeadmasterResolver,
    SchoolHeadmasterResolver,
  ],
})
export class HeadmasterModule {}
