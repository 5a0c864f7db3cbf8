import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ModelDefinition, MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SchoolModule } from '../school/school.module';
import { SubjectModule } from '../subject/subject.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { TeacherResponse, toTeacherResponse } from './dto/teacher.response';
import { TeacherModel } from './models/teacher.model';
import { TEACHER_STORE, TeacherRepository, toTeacher } from './persistence/teacher.repository';
import { TeacherRecord, TeacherSchema } from './persistence/teacher.schema';
import { TeacherController } from './teacher.controller';
import { HeadmasterTeachersResolver, SchoolTeachersResolver, TeacherResolver } from './teacher.resolver';
import { TeacherService } from './teacher.service';

const TEACHER_MODEL: ModelDefinition = { name: TeacherRecord.name, schema: TeacherSchema };

@Module({
  imports: [MongooseModule.forFeature([TEACHER_MODEL]), SchoolModule, SubjectModule, SubscriptionsModule],
  controllers: [TeacherController],
  providers: [
    collectionStoreProvider(TEACHER_STORE, {
      model: TEACHER_MODEL,
      entity: 'teacher',
      fixtureFile: join(__dirname, 'persistence', 'fixtures', 'teachers.json'),
      toEntity: toTeacher,
      rest: { type: TeacherResponse, from: toTeacherResponse },
      graphql: TeacherModel,
    }),
    TeacherRepository,
    TeacherService,
    TeacherResolver,
    SchoolTeachersResolver,
    HeadmasterTeachersResolver,
  ],
  exports: [TeacherService],
})
export class TeacherModule {}
