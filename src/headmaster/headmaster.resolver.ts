import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { byKeys, GraphqlContext, perRequestLoader } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { CacheHint } from '../edge/cache-hint';
import { ParseObjectIdPipe } from '../common/validation/validation';
import { SchoolModel } from '../school/models/school.model';
import { HireTeacherInput } from '../teacher/dto/teacher.inputs';
import { TeacherModel } from '../teacher/models/teacher.model';
import type { Teacher } from '../teacher/teacher';
import { CreateHeadmasterInput, HeadmastersArgs, UpdateHeadmasterInput } from './dto/headmaster.inputs';
import { HEADMASTER_SORT_FIELDS, type Headmaster, type HeadmasterDashboard } from './headmaster';
import { HeadmasterService } from './headmaster.service';
import { HeadmasterDashboardModel, HeadmasterModel, HeadmasterPage } from './models/headmaster.model';

@Resolver(() => HeadmasterModel)
export class HeadmasterResolver {
  constructor(private readonly headmasterService: HeadmasterService) {}

  @Query(() => HeadmasterModel)
  async headmaster(@Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string): Promise<Headmaster> {
    return this.headmasterService.get(id);
  }

  @Query(() => HeadmasterPage)
  async headmasters(@Args() args: HeadmastersArgs) {
    return this.headmasterService.list(args.filter ?? {}, toPageRequest(args, HEADMASTER_SORT_FIELDS));
  }

  @ResolveField('dashboard', () => HeadmasterDashboardModel)
  @CacheHint('dashboard')
  async dashboard(@Parent() headmaster: HeadmasterModel): Promise<HeadmasterDashboard> {
    return this.headmasterService.dashboardFor(headmaster);
  }

  @Mutation(() => HeadmasterModel)
  async createHeadmaster(@Args('input') input: CreateHeadmasterInput): Promise<Headmaster> {
    return this.headmasterService.create(input);
  }

  @Mutation(() => HeadmasterModel)
  async updateHeadmaster(
    @Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string,
    @Args('input') input: UpdateHeadmasterInput,
  ): Promise<Headmaster> {
    return this.headmasterService.update(id, input);
  }

  @Mutation(() => HeadmasterModel, { description: 'Deletes the headmaster and returns them as they were' })
  async deleteHeadmaster(@Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string): Promise<Headmaster> {
    return this.headmasterService.delete(id);
  }

  @Mutation(() => TeacherModel, { description: "Hires a teacher into the headmaster's school" })
  async hireTeacher(
    @Args('headmasterId', { type: () => ID }, new ParseObjectIdPipe('headmasterId')) headmasterId: string,
    @Args('input') input: HireTeacherInput,
  ): Promise<Teacher> {
    return this.headmasterService.hireTeacher(headmasterId, input);
  }
}

@Resolver(() => SchoolModel)
export class SchoolHeadmasterResolver {
  constructor(private readonly headmasterService: HeadmasterService) {}

  @ResolveField('headmaster', () => HeadmasterModel, { nullable: true })
  async headmaster(@Parent() school: SchoolModel, @Context() context: GraphqlContext): Promise<Headmaster | null> {
    if (!school.headmasterId) return null;
    const loader = perRequestLoader<string, Headmaster | null>(context, 'headmasterById', async (ids) =>
      byKeys(ids, await this.headmasterService.getMany(ids), (headmaster) => headmaster.id, null),
    );
    return loader.load(school.headmasterId);
  }
}
