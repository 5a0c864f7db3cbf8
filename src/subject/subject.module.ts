import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ModelDefinition, MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SchoolModule } from '../school/school.module';
import { SubjectResponse, toSubjectResponse } from './dto/subject.response';
import { SubjectModel } from './models/subject.model';
import { SUBJECT_STORE, SubjectRepository, toSubject } from './persistence/subject.repository';
import { SubjectRecord, SubjectSchema } from './persistence/subject.schema';
import { SubjectController } from './subject.controller';
import { SchoolSubjectsResolver, SubjectResolver, TeacherSubjectsResolver } from './subject.resolver';
import { SubjectService } from './subject.service';

const SUBJECT_MODEL: ModelDefinition = { name: SubjectRecord.name, schema: SubjectSchema };

@Module({
  imports: [MongooseModule.forFeature([SUBJECT_MODEL]), SchoolModule],
  controllers: [SubjectController],
  providers: [
    // Opts the collection in to fallback, edge caching, the schema-drift check and fixtures:refresh.
    collectionStoreProvider(SUBJECT_STORE, {
      model: SUBJECT_MODEL,
      entity: 'subject',
      fixtureFile: join(__dirname, 'persistence', 'fixtures', 'subjects.json'),
      toEntity: toSubject,
      rest: { type: SubjectResponse, from: toSubjectResponse },
      graphql: SubjectModel,
    }),
    SubjectRepository,
    SubjectService,
    SubjectResolver,
    SchoolSubjectsResolver,
    TeacherSubjectsResolver,
  ],
  exports: [SubjectService],
})
export class SubjectModule {}
