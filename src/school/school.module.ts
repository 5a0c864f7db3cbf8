import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SCHOOL_STORE, SchoolRepository } from './persistence/school.repository';
import { SchoolRecord, SchoolSchema } from './persistence/school.schema';
import { SchoolController } from './school.controller';
import { HeadmasterSchoolResolver, SchoolResolver, TeacherSchoolResolver } from './school.resolver';
import { SchoolService } from './school.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: SchoolRecord.name, schema: SchoolSchema }])],
  controllers: [SchoolController],
  providers: [
    collectionStoreProvider(
      SCHOOL_STORE,
      SchoolRecord.name,
      'school',
      join(__dirname, 'persistence', 'fixtures', 'schools.json'),
    ),
    SchoolRepository,
    SchoolService,
    SchoolResolver,
    TeacherSchoolResolver,
    HeadmasterSchoolResolver,
  ],
  exports: [SchoolService],
})
export class SchoolModule {}
