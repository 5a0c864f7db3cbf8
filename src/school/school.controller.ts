import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  PartialType,
} from '@nestjs/swagger';
import { toPageBody, toPageRequest } from '../common/paging/paging';
import { IdParam } from '../common/validation/id-params';
import { ApiAccess } from '../security/api-access-responses';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateSchoolInput, ListSchoolsQuery, UpdateSchoolInput } from './dto/school.inputs';
import { SchoolPageResponse, SchoolResponse, toSchoolResponse } from './dto/school.response';
import { SCHOOL_SORT_FIELDS } from './school';
import { SchoolService } from './school.service';

class UpdateSchoolBody extends PartialType(CreateSchoolInput) {}

const WRITE = { forbidden: 'Not an admin, whatever the id', notFound: 'No school with this id (admins)' };

@ApiTags('schools')
@Controller('schools')
export class SchoolController {
  constructor(private readonly schools: SchoolService) {}

  @Get()
  @ApiOkResponse({ type: SchoolPageResponse })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListSchoolsQuery): Promise<SchoolPageResponse> {
    const page = toPageRequest(query, SCHOOL_SORT_FIELDS);
    const schools = await this.schools.list(principal, { city: query.city, type: query.type }, page);
    return toPageBody(schools, page, toSchoolResponse);
  }

  @Get(':id')
  @ApiNotFoundResponse({ description: 'No school with this id (the directory is public: anyone may tell which exist)' })
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<SchoolResponse> {
    return toSchoolResponse(await this.schools.get(principal, id));
  }

  @Post()
  @ApiAccess({ forbidden: 'Not an admin' })
  async create(@CurrentPrincipal() principal: Principal, @Body() input: CreateSchoolInput): Promise<SchoolResponse> {
    return toSchoolResponse(await this.schools.create(principal, input));
  }

  @Patch(':id')
  @ApiAccess(WRITE)
  @ApiBody({ type: UpdateSchoolBody })
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() input: UpdateSchoolInput,
  ): Promise<SchoolResponse> {
    return toSchoolResponse(await this.schools.update(principal, id, input));
  }

  @ApiConflictResponse({
    description:
      'Teachers, a headmaster or subjects still belong to the school: the message names them. Nothing is deleted.',
  })
  @Delete(':id')
  @ApiAccess(WRITE)
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<void> {
    await this.schools.delete(principal, id);
  }
}
