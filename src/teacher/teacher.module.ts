import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CollectionStoreModule } from '../persistence/collection-store.module';
import { SchoolModule } from '../school/school.module';
import { SubjectModule } from '../subject/subject.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { TeacherResponse, toTeacherResponse } from './dto/teacher.response';
import { TeacherModel } from './models/teacher.model';
import { TeacherRepository, toTeacher } from './persistence/teacher.repository';
import { TeacherRecord, TeacherSchema } from './persistence/teacher.schema';
import { TeacherController } from './teacher.controller';
import {
  SchoolTeachersResolver,
  TeacherResolver,
  TeacherSchoolResolver,
  TeacherSubjectsResolver,
} from './teacher.resolver';
import { TeacherService } from './teacher.service';

/** Opts the collection in to the store chain (fallback, edge caching), the schema-drift check and fixtures:refresh. */
const TEACHER_COLLECTION = CollectionStoreModule.forFeature({
  model: { name: TeacherRecord.name, schema: TeacherSchema },
  entity: 'teacher',
  fixtureFile: join(__dirname, 'persistence', 'fixtures', 'teachers.json'),
  edgeTtlSeconds: 60,
  toEntity: toTeacher,
  rest: { type: TeacherResponse, from: toTeacherResponse },
  graphql: TeacherModel,
});

@Module({
  imports: [TEACHER_COLLECTION, SchoolModule, SubjectModule, SubscriptionsModule],
  controllers: [TeacherController],
  providers: [
    TeacherRepository,
    TeacherService,
    TeacherResolver,
    SchoolTeachersResolver,
    TeacherSchoolResolver,
    TeacherSubjectsResolver,
  ],
  exports: [TeacherService],
})
export class TeacherModule {}
