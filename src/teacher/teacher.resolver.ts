import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { PubSubEngine } from 'graphql-subscriptions';
import { GraphqlContext, perRequestLoader, resetRequestLoaders } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { ParseObjectIdPipe } from '../common/validation/validation';
import { HeadmasterModel } from '../headmaster/models/headmaster.model';
import { SchoolModel } from '../school/models/school.model';
import { CreateTeacherInput, SchoolTeachersArgs, TeachersArgs, UpdateTeacherInput } from './dto/teacher.inputs';
import { TeacherChangeModel, TeacherModel, TeacherPage } from './models/teacher.model';
import { TEACHER_SORT_FIELDS, type Teacher, type TeacherChange } from './teacher';
import { teacherChangedTrigger, toTeacherChange, type TeacherChangedEvent } from './teacher-changes';
import { TeacherService } from './teacher.service';

@Resolver(() => TeacherModel)
export class TeacherResolver {
  constructor(
    private readonly teacherService: TeacherService,
    private readonly pubSub: PubSubEngine,
  ) {}

  @Query(() => TeacherModel)
  async teacher(@Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string): Promise<Teacher> {
    return this.teacherService.get(id);
  }

  @Query(() => TeacherPage)
  async teachers(@Args() args: TeachersArgs) {
    return this.teacherService.list(args.filter ?? {}, toPageRequest(args, TEACHER_SORT_FIELDS));
  }

  @Mutation(() => TeacherModel)
  async createTeacher(@Args('input') input: CreateTeacherInput): Promise<Teacher> {
    return this.teacherService.create(input);
  }

  @Mutation(() => TeacherModel)
  async updateTeacher(
    @Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string,
    @Args('input') input: UpdateTeacherInput,
  ): Promise<Teacher> {
    return this.teacherService.update(id, input);
  }

  @Mutation(() => TeacherModel, { description: 'Deletes the teacher and returns it as it was' })
  async deleteTeacher(@Args('id', { type: () => ID }, new ParseObjectIdPipe()) id: string): Promise<Teacher> {
    return this.teacherService.delete(id);
  }

  @Subscription(() => TeacherChangeModel, {
    description:
      "Every write of the school's teachers, over WebSocket (graphql-ws): created (also hired), updated, deleted. " +
      'A move to another school is reported to the subscribers of both schools, as updated with the new schoolId.',
    resolve: (event: TeacherChangedEvent, _args: unknown, context: GraphqlContext): TeacherChange => {
      resetRequestLoaders(context);
      return toTeacherChange(event);
    },
  })
  teacherChanged(
    @Args('schoolId', { type: () => ID }, new ParseObjectIdPipe('schoolId')) schoolId: string,
  ): AsyncIterator<TeacherChangedEvent> {
    return this.pubSub.asyncIterableIterator<TeacherChangedEvent>(teacherChangedTrigger(schoolId));
  }
}

@Resolver(() => SchoolModel)
export class SchoolTeachersResolver {
  constructor(private readonly teacherService: TeacherService) {}

  @ResolveField('teachers', () => TeacherPage)
  async teachers(@Parent() school: SchoolModel, @Args() args: SchoolTeachersArgs) {
    return this.teacherService.list({ ...args.filter, schoolId: school.id }, toPageRequest(args, TEACHER_SORT_FIELDS));
  }

  @ResolveField('teacherCount', () => Int)
  async teacherCount(@Parent() school: SchoolModel, @Context() context: GraphqlContext): Promise<number> {
    const loader = perRequestLoader<string, number>(context, 'teacherCountBySchool', async (schoolIds) => {
      const counts = await this.teacherService.countBySchools(schoolIds);
      return schoolIds.map((id) => counts.get(id) ?? 0);
    });
    return loader.load(school.id);
  }
}

@Resolver(() => HeadmasterModel)
export class HeadmasterTeachersResolver {
  constructor(private readonly teacherService: TeacherService) {}

  @ResolveField('teachers', () => TeacherPage, { description: "The teachers of the headmaster's school" })
  async teachers(@Parent() headmaster: HeadmasterModel, @Args() args: SchoolTeachersArgs) {
    return this.teacherService.list(
      { ...args.filter, schoolId: headmaster.schoolId },
      toPageRequest(args, TEACHER_SORT_FIELDS),
    );
  }
}
