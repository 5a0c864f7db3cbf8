import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { GraphqlContext, perRequestLoader, resetRequestLoaders } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { IdArg } from '../common/validation/id-params';
import { SchoolModel } from '../school/models/school.model';
import type { SchoolView } from '../school/school';
import { schoolLoader } from '../school/school-loader';
import { SchoolService } from '../school/school.service';
import { SubjectModel } from '../subject/models/subject.model';
import type { Subject, SubjectKey } from '../subject/subject';
import { SubjectService } from '../subject/subject.service';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateTeacherInput, SchoolTeachersArgs, TeachersArgs, UpdateTeacherInput } from './dto/teacher.inputs';
import { TeacherChangeModel, TeacherModel, TeacherPage } from './models/teacher.model';
import { TEACHER_SORT_FIELDS, type Teacher, type TeacherChange, type TeacherView } from './teacher';
import type { TeacherChangedEvent } from './teacher-changes';
import { TeacherService } from './teacher.service';

@Resolver(() => TeacherModel)
export class TeacherResolver {
  constructor(private readonly teacherService: TeacherService) {}

  @Query(() => TeacherModel)
  async teacher(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<TeacherView> {
    return this.teacherService.get(principal, id);
  }

  @Query(() => TeacherPage)
  async teachers(@CurrentPrincipal() principal: Principal, @Args() args: TeachersArgs) {
    return this.teacherService.list(principal, args.filter ?? {}, toPageRequest(args, TEACHER_SORT_FIELDS));
  }

  @Mutation(() => TeacherModel)
  async createTeacher(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateTeacherInput,
  ): Promise<Teacher> {
    return this.teacherService.create(principal, input);
  }

  @Mutation(() => TeacherModel)
  async updateTeacher(
    @CurrentPrincipal() principal: Principal,
    @IdArg() id: string,
    @Args('input') input: UpdateTeacherInput,
  ): Promise<Teacher> {
    return this.teacherService.update(principal, id, input);
  }

  @Mutation(() => TeacherModel, { description: 'Deletes the teacher and returns it as it was' })
  async deleteTeacher(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<Teacher> {
    return this.teacherService.delete(principal, id);
  }

  @Subscription(() => TeacherChangeModel, {
    description:
      "Every write of the school's teachers, over WebSocket (graphql-ws): created (also hired), updated, deleted. " +
      'A move to another school is reported to the subscribers of both schools, as updated with the new schoolId. ' +
      "For the school's members and admins; teachers see colleagues as colleagues do.",
    resolve(this: TeacherResolver, event: TeacherChangedEvent, _args: unknown, context: GraphqlContext): TeacherChange {
      resetRequestLoaders(context);
      return this.teacherService.changeFor(context.principal, event);
    },
  })
  teacherChanged(
    @CurrentPrincipal() principal: Principal,
    @IdArg('schoolId') schoolId: string,
  ): AsyncIterator<TeacherChangedEvent> {
    return this.teacherService.follow(principal, schoolId);
  }
}

@Resolver(() => SchoolModel)
export class SchoolTeachersResolver {
  constructor(private readonly teacherService: TeacherService) {}

  @ResolveField('teachers', () => TeacherPage, {
    nullable: true,
    description: "For the school's members and admins",
  })
  async teachers(@Parent() school: SchoolModel, @Args() args: SchoolTeachersArgs, @Context() context: GraphqlContext) {
    return this.teacherService.list(
      context.principal,
      { ...args.filter, schoolId: school.id },
      toPageRequest(args, TEACHER_SORT_FIELDS),
    );
  }

  @ResolveField('teacherCount', () => Int, { nullable: true, description: "For the school's members and admins" })
  async teacherCount(@Parent() school: SchoolModel, @Context() context: GraphqlContext): Promise<number> {
    const loader = perRequestLoader<string, number>(context, 'teacherCountBySchool', async (schoolIds) =>
      this.teacherService.countBySchools(context.principal, schoolIds),
    );
    return loader.load(school.id);
  }
}

/** Teacher.school: the teacher's school, batched per request with every other relation to a school. */
@Resolver(() => TeacherModel)
export class TeacherSchoolResolver {
  constructor(private readonly schoolService: SchoolService) {}

  @ResolveField('school', () => SchoolModel, { nullable: true })
  async school(@Parent() teacher: TeacherModel, @Context() context: GraphqlContext): Promise<SchoolView | null> {
    return schoolLoader(this.schoolService, context).load(teacher.schoolId);
  }
}

/** Teacher.subjectDetails: the subjects a teacher's codes name at their school, batched per request. */
@Resolver(() => TeacherModel)
export class TeacherSubjectsResolver {
  constructor(private readonly subjectService: SubjectService) {}

  @ResolveField('subjectDetails', () => [SubjectModel], {
    description: "The subjects of the teacher's school that Teacher.subjects lists, in its order",
  })
  async subjectDetails(@Parent() teacher: TeacherModel, @Context() context: GraphqlContext): Promise<Subject[]> {
    // Keyed by "<schoolId>/<code>": DataLoader caches by key, and equal strings are one key.
    const loader = perRequestLoader<string, Subject | null>(context, 'subjectBySchoolAndCode', async (keys) =>
      this.subjectService.getByKeys(
        context.principal,
        keys.map((key): SubjectKey => {
          const [schoolId, code] = key.split('/');
          return { schoolId, code };
        }),
      ),
    );
    const subjects = await loader.loadMany(teacher.subjects.map((code) => `${teacher.schoolId}/${code}`));
    const failure = subjects.find((subject) => subject instanceof Error);
    if (failure) throw failure;
    // A code whose subject is gone (removed from the database by other means) is left out.
    return subjects.filter((subject): subject is Subject => subject !== null);
  }
}
