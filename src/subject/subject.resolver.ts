import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../common/graphql/request-loaders';
import { toPageRequest } from '../common/paging/paging';
import { IdArg } from '../common/validation/id-params';
import { SchoolModel } from '../school/models/school.model';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateSubjectInput, SubjectsArgs, SchoolSubjectsArgs, UpdateSubjectInput } from './dto/subject.inputs';
import { SubjectModel, SubjectPage } from './models/subject.model';
import { SUBJECT_SORT_FIELDS, type Subject } from './subject';
import { SubjectService } from './subject.service';

@Resolver(() => SubjectModel)
export class SubjectResolver {
  constructor(private readonly subjectService: SubjectService) {}

  @Query(() => SubjectModel)
  async subject(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<Subject> {
    return this.subjectService.get(principal, id);
  }

  @Query(() => SubjectPage)
  async subjects(@CurrentPrincipal() principal: Principal, @Args() args: SubjectsArgs) {
    return this.subjectService.list(principal, args.filter ?? {}, toPageRequest(args, SUBJECT_SORT_FIELDS));
  }

  @Mutation(() => SubjectModel)
  async createSubject(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateSubjectInput,
  ): Promise<Subject> {
    return this.subjectService.create(principal, input);
  }

  @Mutation(() => SubjectModel)
  async updateSubject(
    @CurrentPrincipal() principal: Principal,
    @IdArg() id: string,
    @Args('input') input: UpdateSubjectInput,
  ): Promise<Subject> {
    return this.subjectService.update(principal, id, input);
  }

  @Mutation(() => SubjectModel, { description: 'Deletes the subject and returns it as it was' })
  async deleteSubject(@CurrentPrincipal() principal: Principal, @IdArg() id: string): Promise<Subject> {
    return this.subjectService.delete(principal, id);
  }
}

/** School.subjects: the relation is resolved here, by the module that owns subjects. */
@Resolver(() => SchoolModel)
export class SchoolSubjectsResolver {
  constructor(private readonly subjectService: SubjectService) {}

  @ResolveField('subjects', () => SubjectPage, { nullable: true, description: 'The subjects the school teaches' })
  async subjects(@Parent() school: SchoolModel, @Args() args: SchoolSubjectsArgs, @Context() context: GraphqlContext) {
    return this.subjectService.list(
      context.principal,
      { ...args.filter, schoolId: school.id },
      toPageRequest(args, SUBJECT_SORT_FIELDS),
    );
  }
}
