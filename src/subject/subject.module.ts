import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CollectionStoreModule } from '../persistence/collection-store.module';
import { SchoolModule } from '../school/school.module';
import { SubjectResponse, toSubjectResponse } from './dto/subject.response';
import { SubjectModel } from './models/subject.model';
import { SubjectRepository, toSubject } from './persistence/subject.repository';
import { SubjectRecord, SubjectSchema } from './persistence/subject.schema';
import { SubjectController } from './subject.controller';
import { SchoolSubjectsResolver, SubjectResolver } from './subject.resolver';
import { SubjectService } from './subject.service';

/** Opts the collection in to the store chain (fallback, edge caching), the schema-drift check and fixtures:refresh. */
const SUBJECT_COLLECTION = CollectionStoreModule.forFeature({
  model: { name: SubjectRecord.name, schema: SubjectSchema },
  entity: 'subject',
  fixtureFile: join(__dirname, 'persistence', 'fixtures', 'subjects.json'),
  toEntity: toSubject,
  rest: { type: SubjectResponse, from: toSubjectResponse },
  graphql: SubjectModel,
});

@Module({
  imports: [SUBJECT_COLLECTION, SchoolModule],
  controllers: [SubjectController],
  providers: [SubjectRepository, SubjectService, SubjectResolver, SchoolSubjectsResolver],
  exports: [SubjectService],
})
export class SubjectModule {}
