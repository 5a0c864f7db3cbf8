import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CollectionStoreModule } from '../persistence/collection-store.module';
import { SchoolResponse, toSchoolResponse } from './dto/school.response';
import { SchoolModel } from './models/school.model';
import { SchoolRepository, toSchool } from './persistence/school.repository';
import { SchoolRecord, SchoolSchema } from './persistence/school.schema';
import { SchoolController } from './school.controller';
import { SchoolResolver } from './school.resolver';
import { SchoolService } from './school.service';

/** Opts the collection in to the store chain (fallback, edge caching), the schema-drift check and fixtures:refresh. */
const SCHOOL_COLLECTION = CollectionStoreModule.forFeature({
  model: { name: SchoolRecord.name, schema: SchoolSchema },
  entity: 'school',
  fixtureFile: join(__dirname, 'persistence', 'fixtures', 'schools.json'),
  edgeTtlSeconds: 300,
  toEntity: toSchool,
  rest: { type: SchoolResponse, from: toSchoolResponse },
  graphql: SchoolModel,
});

@Module({
  imports: [SCHOOL_COLLECTION],
  controllers: [SchoolController],
  providers: [SchoolRepository, SchoolService, SchoolResolver],
  exports: [SchoolService],
})
export class SchoolModule {}
