import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SchoolModule } from '../school/school.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { TEACHER_STORE, TeacherRepository } from './persistence/teacher.repository';
import { TeacherRecord, TeacherSchema } from './persistence/teacher.schema';
import { TeacherController } from './teacher.controller';
import { HeadmasterTeachersResolver, SchoolTeachersResolver, TeacherResolver } from './teacher.resolver';
import { TeacherService } from './teacher.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: TeacherRecord.name, schema: TeacherSchema }]),
    SchoolModule,
    SubscriptionsModule,
  ],
  controllers: [TeacherController],
  providers: [
    collectionStoreProvider(
      TEACHER_STORE,
      TeacherRecord.name,
      'teacher',
      join(__dirname, 'persistence', 'fixtures', 'teachers.json'),
    ),
    TeacherRepository,
    TeacherService,
    TeacherResolver,
    SchoolTeachersResolver,
    HeadmasterTeachersResolver,
  ],
  exports: [TeacherService],
})
export class TeacherModule {}
