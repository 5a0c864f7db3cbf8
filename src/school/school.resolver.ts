import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { byKeys, GraphqlContext, perRequestLoader } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { IdArg } from '../common/validation/id-params';
import { HeadmasterModel } from '../headmaster/models/headmaster.model';
import { TeacherModel } from '../teacher/models/teacher.model';
import { CreateSchoolInput, SchoolsArgs, UpdateSchoolInput } from './dto/school.inputs';
import { SchoolModel, SchoolPage } from './models/school.model';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { SCHOOL_SORT_FIELDS, type School, type SchoolView } from './school';
import { SchoolService } from './school.service';

@Resolver(() => SchoolModel)
export class SchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @Query(() => SchoolModel)
  async school(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<SchoolView> {
    return this.schoolService.get(principal, id);
  }

  @Query(() => SchoolPage)
  async schools(@CurrentPrincipal() principal: Principal, @Args() args: SchoolsArgs) {
    return this.schoolService.list(principal, args.filter ?? {}, toPageRequest(args, SCHOOL_SORT_FIELDS));
  }

  @Mutation(() => SchoolModel)
  async createSchool(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateSchoolInput,
  ): Promise<School> {
    return this.schoolService.create(principal, input);
  }

  @Mutation(() => SchoolModel)
  async updateSchool(
    @CurrentPrincipal() principal: Principal,
    @IdArg() id: string,
    @Args('input') input: UpdateSchoolInput,
  ): Promise<School> {
    return this.schoolService.update(principal, id, input);
  }

  @Mutation(() => SchoolModel, { description: 'Deletes the school and returns it as it was' })
  async deleteSchool(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<School> {
    return this.schoolService.delete(principal, id);
  }
}

/** Loads schools by id, batched per request; shared by every relation that points at a school. */
function schoolLoader(schools: SchoolService, context: GraphqlContext) {
  return perRequestLoader<string, SchoolView | null>(context, 'schoolById', async (ids) =>
    byKeys(ids, await schools.getMany(context.principal, ids), (school) => school.id, null),
  );
}

@Resolver(() => TeacherModel)
export class TeacherSchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @ResolveField('school', () => SchoolModel, { nullable: true })
  async school(@Parent() teacher: TeacherModel, @Context() context: GraphqlContext): Promise<SchoolView | null> {
    return schoolLoader(this.schoolService, context).load(teacher.schoolId);
  }
}

@Resolver(() => HeadmasterModel)
export class HeadmasterSchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @ResolveField('school', () => SchoolModel, { nullable: true })
  async school(@Parent() headmaster: HeadmasterModel, @Context() context: GraphqlContext): Promise<SchoolView | null> {
    return schoolLoader(this.schoolService, context).load(headmaster.schoolId);
  }
}
