import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ModelDefinition, MongooseModule } from '@nestjs/mongoose';
import { collectionStoreProvider } from '../common/persistence/collection-store.provider';
import { SchoolModule } from '../school/school.module';
import { TeacherModule } from '../teacher/teacher.module';
import { HeadmasterController } from './headmaster.controller';
import { HeadmasterResolver, SchoolHeadmasterResolver } from './headmaster.resolver';
import { HeadmasterService } from './headmaster.service';
import { HeadmasterResponse, toHeadmasterResponse } from './dto/headmaster.response';
import { HeadmasterModel } from './models/headmaster.model';
import { HEADMASTER_STORE, HeadmasterRepository, toHeadmaster } from './persistence/headmaster.repository';
import { HeadmasterRecord, HeadmasterSchema } from './persistence/headmaster.schema';

const HEADMASTER_MODEL: ModelDefinition = { name: HeadmasterRecord.name, schema: HeadmasterSchema };

@Module({
  imports: [MongooseModule.forFeature([HEADMASTER_MODEL]), SchoolModule, TeacherModule],
  controllers: [HeadmasterController],
  providers: [
    collectionStoreProvider(HEADMASTER_STORE, {
      model: HEADMASTER_MODEL,
      entity: 'headmaster',
      fixtureFile: join(__dirname, 'persistence', 'fixtures', 'headmasters.json'),
      toEntity: toHeadmaster,
      rest: { type: HeadmasterResponse, from: toHeadmasterResponse },
      graphql: HeadmasterModel,
    }),
    HeadmasterRepository,
    HeadmasterService,
    HeadmasterResolver,
    SchoolHeadmasterResolver,
  ],
})
export class HeadmasterModule {}
