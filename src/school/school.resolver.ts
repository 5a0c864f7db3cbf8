import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { toPageRequest } from '../common/paging/paging';
import { IdArg } from '../common/validation/id-params';
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
