import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ModelDefinition, MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SchoolResponse, toSchoolResponse } from './dto/school.response';
import { SchoolModel } from './models/school.model';
import { SCHOOL_STORE, SchoolRepository, toSchool } from './persistence/school.repository';
import { SchoolRecord, SchoolSchema } from './persistence/school.schema';
import { SchoolController } from './school.controller';
import { HeadmasterSchoolResolver, SchoolResolver, TeacherSchoolResolver } from './school.resolver';
import { SchoolService } from './school.service';

const SCHOOL_MODEL: ModelDefinition = { name: SchoolRecord.name, schema: SchoolSchema };

@Module({
  imports: [MongooseModule.forFeature([SCHOOL_MODEL])],
  controllers: [SchoolController],
  providers: [
    collectionStoreProvider(SCHOOL_STORE, {
      model: SCHOOL_MODEL,
      entity: 'school',
      fixtureFile: join(__dirname, 'persistence', 'fixtures', 'schools.json'),
      toEntity: toSchool,
      rest: { type: SchoolResponse, from: toSchoolResponse },
      graphql: SchoolModel,
    }),
    SchoolRepository,
    SchoolService,
    SchoolResolver,
    TeacherSchoolResolver,
    HeadmasterSchoolResolver,
  ],
  exports: [SchoolService],
})
export class SchoolModule {}
