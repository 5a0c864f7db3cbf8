import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { byKeys, GraphqlContext, perRequestLoader } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { ParseObjectIdPipe } from '../common/validation/validation';
import { HeadmasterModel } from '../headmaster/models/headmaster.model';
import { TeacherModel } from '../teacher/models/teacher.model';
import { CreateSchoolInput, SchoolsArgs, UpdateSchoolInput } from './dto/school.inputs';
import { SchoolModel, SchoolPage } from './models/school.model';
import { SCHOOL_SORT_FIELDS, type School } from './school';
import { SchoolService } from './school.service';

@Resolver(() => SchoolModel)
export class SchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @Query(() => SchoolModel)
  async school(@Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string): Promise<School> {
    return this.schoolService.get(id);
  }

  @Query(() => SchoolPage)
  async schools(@Args() args: SchoolsArgs) {
    return this.schoolService.list(args.filter ?? {}, toPageRequest(args, SCHOOL_SORT_FIELDS));
  }

  @Mutation(() => SchoolModel)
  async createSchool(@Args('input') input: CreateSchoolInput): Promise<School> {
    return this.schoolService.create(input);
  }

  @Mutation(() => SchoolModel)
  async updateSchool(
    @Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string,
    @Args('input') input: UpdateSchoolInput,
  ): Promise<School> {
    return this.schoolService.update(id, input);
  }

  @Mutation(() => SchoolModel, { description: 'Deletes the school and returns it as it was' })
  async deleteSchool(@Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string): Promise<School> {
    return this.schoolService.delete(id);
  }
}

/** Loads schools by id, batched per request; shared by every relation that points at a school. */
function schoolLoader(schools: SchoolService, context: GraphqlContext) {
  return perRequestLoader<string, School | null>(context, 'schoolById', async (ids) =>
    byKeys(ids, await schools.getMany(ids), (school) => school.id, null),
  );
}

@Resolver(() => TeacherModel)
export class TeacherSchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @ResolveField('school', () => SchoolModel, { nullable: true })
  async school(@Parent() teacher: TeacherModel, @Context() context: GraphqlContext): Promise<School | null> {
    return schoolLoader(this.schoolService, context).load(teacher.schoolId);
  }
}

@Resolver(() => HeadmasterModel)
export class HeadmasterSchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @ResolveField('school', () => SchoolModel, { nullable: true })
  async school(@Parent() headmaster: HeadmasterModel, @Context() context: GraphqlContext): Promise<School | null> {
    return schoolLoader(this.schoolService, context).load(headmaster.schoolId);
  }
}
