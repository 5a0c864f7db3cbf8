import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CollectionStoreModule } from '../persistence/collection-store.module';
import { SchoolModule } from '../school/school.module';
import { TeacherModule } from '../teacher/teacher.module';
import { HeadmasterController } from './headmaster.controller';
import {
  HeadmasterResolver,
  HeadmasterSchoolResolver,
  HeadmasterTeachersResolver,
  SchoolHeadmasterResolver,
} from './headmaster.resolver';
import { HeadmasterService } from './headmaster.service';
import { HeadmasterResponse, toHeadmasterResponse } from './dto/headmaster.response';
import { HeadmasterModel } from './models/headmaster.model';
import { HeadmasterRepository, toHeadmaster } from './persistence/headmaster.repository';
import { HeadmasterRecord, HeadmasterSchema } from './persistence/headmaster.schema';

/** Opts the collection in to the store chain (fallback, edge caching), the schema-drift check and fixtures:refresh. */
const HEADMASTER_COLLECTION = CollectionStoreModule.forFeature({
  model: { name: HeadmasterRecord.name, schema: HeadmasterSchema },
  entity: 'headmaster',
  fixtureFile: join(__dirname, 'persistence', 'fixtures', 'headmasters.json'),
  edgeTtlSeconds: 120,
  toEntity: toHeadmaster,
  rest: { type: HeadmasterResponse, from: toHeadmasterResponse },
  graphql: HeadmasterModel,
});

@Module({
  imports: [HEADMASTER_COLLECTION, SchoolModule, TeacherModule],
  controllers: [HeadmasterController],
  providers: [
    HeadmasterRepository,
    HeadmasterService,
    HeadmasterResolver,
    SchoolHeadmasterResolver,
    HeadmasterSchoolResolver,
    HeadmasterTeachersResolver,
  ],
})
export class HeadmasterModule {}
