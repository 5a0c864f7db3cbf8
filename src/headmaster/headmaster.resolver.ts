import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphqlContext, perRequestLoader } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { IdArg } from '../common/validation/id-params';
import { CacheHint } from '../edge/cache-hint';
import { SchoolModel } from '../school/models/school.model';
import type { SchoolView } from '../school/school';
import { schoolLoader } from '../school/school-loader';
import { SchoolService } from '../school/school.service';
import { accessDenied } from '../security/access-policy';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { isWithheld } from '../security/withheld-fields';
import { HireTeacherInput, SchoolTeachersArgs } from '../teacher/dto/teacher.inputs';
import { TeacherModel, TeacherPage } from '../teacher/models/teacher.model';
import { TEACHER_SORT_FIELDS, type Teacher } from '../teacher/teacher';
import { TeacherService } from '../teacher/teacher.service';
import { CreateHeadmasterInput, HeadmastersArgs, UpdateHeadmasterInput } from './dto/headmaster.inputs';
import { DASHBOARD, HEADMASTER_SORT_FIELDS, type Headmaster, type HeadmasterDashboard } from './headmaster';
import { HeadmasterService } from './headmaster.service';
import { HeadmasterDashboardModel, HeadmasterModel, HeadmasterPage } from './models/headmaster.model';

@Resolver(() => HeadmasterModel)
export class HeadmasterResolver {
  constructor(private readonly headmasterService: HeadmasterService) {}

  @Query(() => HeadmasterModel)
  async headmaster(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<Headmaster> {
    return this.headmasterService.get(principal, id);
  }

  @Query(() => HeadmasterPage)
  async headmasters(@CurrentPrincipal() principal: Principal, @Args() args: HeadmastersArgs) {
    return this.headmasterService.list(principal, args.filter ?? {}, toPageRequest(args, HEADMASTER_SORT_FIELDS));
  }

  @ResolveField('dashboard', () => HeadmasterDashboardModel)
  @CacheHint(DASHBOARD)
  async dashboard(
    @Parent() headmaster: HeadmasterModel,
    @Context() context: GraphqlContext,
  ): Promise<HeadmasterDashboard> {
    return this.headmasterService.dashboardFor(context.principal, headmaster);
  }

  @Mutation(() => HeadmasterModel)
  async createHeadmaster(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateHeadmasterInput,
  ): Promise<Headmaster> {
    return this.headmasterService.create(principal, input);
  }

  @Mutation(() => HeadmasterModel)
  async updateHeadmaster(
    @CurrentPrincipal() principal: Principal,
    @IdArg() id: string,
    @Args('input') input: UpdateHeadmasterInput,
  ): Promise<Headmaster> {
    return this.headmasterService.update(principal, id, input);
  }

  @Mutation(() => HeadmasterModel, { description: 'Deletes the headmaster and returns them as they were' })
  async deleteHeadmaster(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<Headmaster> {
    return this.headmasterService.delete(principal, id);
  }

  @Mutation(() => TeacherModel, { description: "Hires a teacher into the headmaster's school" })
  async hireTeacher(
    @CurrentPrincipal() principal: Principal,
    @IdArg('headmasterId') headmasterId: string,
    @Args('input') input: HireTeacherInput,
  ): Promise<Teacher> {
    return this.headmasterService.hireTeacher(principal, headmasterId, input);
  }
}

@Resolver(() => SchoolModel)
export class SchoolHeadmasterResolver {
  constructor(private readonly headmasterService: HeadmasterService) {}

  @ResolveField('headmaster', () => HeadmasterModel, {
    nullable: true,
    description: "For the school's headmasters and admins",
  })
  async headmaster(@Parent() school: SchoolModel, @Context() context: GraphqlContext): Promise<Headmaster | null> {
    // A directory entry does not say who the headmaster is: that is a denial, not an absence.
    if (isWithheld(school, 'headmasterId')) throw accessDenied(context.principal);
    if (!school.headmasterId) return null;
    const loader = perRequestLoader<string, Headmaster | null>(context, 'headmasterById', async (ids) =>
      this.headmasterService.getMany(context.principal, ids),
    );
    return loader.load(school.headmasterId);
  }
}

/** Headmaster.school: the headmaster's school, batched per request with every other relation to a school. */
@Resolver(() => HeadmasterModel)
export class HeadmasterSchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @ResolveField('school', () => SchoolModel, { nullable: true })
  async school(@Parent() headmaster: HeadmasterModel, @Context() context: GraphqlContext): Promise<SchoolView | null> {
    return schoolLoader(this.schoolService, context).load(headmaster.schoolId);
  }
}

/** Headmaster.teachers: the teachers of the headmaster's school. */
@Resolver(() => HeadmasterModel)
export class HeadmasterTeachersResolver {
  constructor(private readonly teacherService: TeacherService) {}

  @ResolveField('teachers', () => TeacherPage, { description: "The teachers of the headmaster's school" })
  async teachers(
    @Parent() headmaster: HeadmasterModel,
    @Args() args: SchoolTeachersArgs,
    @Context() context: GraphqlContext,
  ) {
    return this.teacherService.list(
      context.principal,
      { ...args.filter, schoolId: headmaster.schoolId },
      toPageRequest(args, TEACHER_SORT_FIELDS),
    );
  }
}
