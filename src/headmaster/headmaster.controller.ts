import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  PartialType,
} from '@nestjs/swagger';
import { toPageBody, toPageRequest } from '../common/paging/paging';
import { CacheHint } from '../edge/cache-hint';
import { IdParam } from '../common/validation/id-params';
import { ApiAccess, notFoundOrNotYours } from '../security/api-access-responses';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { SchoolResponse, toSchoolResponse } from '../school/dto/school.response';
import { HireTeacherInput, ListSchoolTeachersQuery } from '../teacher/dto/teacher.inputs';
import { TeacherPageResponse, TeacherResponse, toTeacherResponse } from '../teacher/dto/teacher.response';
import { TEACHER_SORT_FIELDS } from '../teacher/teacher';
import { CreateHeadmasterInput, ListHeadmastersQuery, UpdateHeadmasterInput } from './dto/headmaster.inputs';
import {
  HeadmasterDashboardResponse,
  HeadmasterPageResponse,
  HeadmasterResponse,
  toDashboardResponse,
  toHeadmasterResponse,
} from './dto/headmaster.response';
import { DASHBOARD, HEADMASTER_SORT_FIELDS } from './headmaster';
import { HeadmasterService } from './headmaster.service';

class UpdateHeadmasterBody extends PartialType(CreateHeadmasterInput) {}

/** A headmaster and what hangs off them: for the headmasters of their school and admins. */
const READ = {
  forbidden: 'Teachers never read headmasters, whatever the id',
  notFound: notFoundOrNotYours('headmaster', "another school's headmaster"),
};
const WRITE = { forbidden: 'Not an admin, whatever the id', notFound: 'No headmaster with this id (admins)' };

@ApiTags('headmasters')
@Controller('headmasters')
export class HeadmasterController {
  constructor(private readonly headmasters: HeadmasterService) {}

  @Get()
  @ApiAccess({ forbidden: 'Teachers; a schoolId of another school' })
  @ApiOkResponse({ type: HeadmasterPageResponse })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListHeadmastersQuery,
  ): Promise<HeadmasterPageResponse> {
    const page = toPageRequest(query, HEADMASTER_SORT_FIELDS);
    const headmasters = await this.headmasters.list(principal, { schoolId: query.schoolId }, page);
    return toPageBody(headmasters, page, toHeadmasterResponse);
  }

  @Get(':id')
  @ApiAccess(READ)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<HeadmasterResponse> {
    return toHeadmasterResponse(await this.headmasters.get(principal, id));
  }

  @ApiBadRequestResponse({ description: '`schoolId` names no school (or another field is invalid); `field` names it.' })
  @ApiConflictResponse({ description: 'The school already has a headmaster (one per school), or the e-mail is taken.' })
  @Post()
  @ApiAccess({ forbidden: 'Not an admin' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateHeadmasterInput,
  ): Promise<HeadmasterResponse> {
    return toHeadmasterResponse(await this.headmasters.create(principal, input));
  }

  @ApiBadRequestResponse({ description: '`schoolId` names no school (or another field is invalid); `field` names it.' })
  @ApiConflictResponse({ description: 'The new school already has a headmaster, or the e-mail is taken.' })
  @Patch(':id')
  @ApiAccess(WRITE)
  @ApiBody({ type: UpdateHeadmasterBody })
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() input: UpdateHeadmasterInput,
  ): Promise<HeadmasterResponse> {
    return toHeadmasterResponse(await this.headmasters.update(principal, id, input));
  }

  @Delete(':id')
  @ApiAccess(WRITE)
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<void> {
    await this.headmasters.delete(principal, id);
  }

  @Get(':id/school')
  @ApiAccess(READ)
  @ApiOperation({ summary: "The headmaster's school" })
  async school(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<SchoolResponse> {
    return toSchoolResponse(await this.headmasters.schoolOf(principal, id));
  }

  @Get(':id/teachers')
  @ApiAccess(READ)
  @ApiOperation({ summary: "The teachers of the headmaster's school" })
  @ApiOkResponse({ type: TeacherPageResponse })
  async teachers(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query() query: ListSchoolTeachersQuery,
  ): Promise<TeacherPageResponse> {
    const page = toPageRequest(query, TEACHER_SORT_FIELDS);
    const { subject, status, q } = query;
    const teachers = await this.headmasters.teachersOf(principal, id, { subject, status, q }, page);
    return toPageBody(teachers, page, toTeacherResponse);
  }

  @ApiBadRequestResponse({
    description: "A subject code that is not a subject of the headmaster's school; `field` is `subjects`.",
  })
  @Post(':id/teachers')
  @ApiAccess(READ)
  @ApiOperation({ summary: "Hires a teacher into the headmaster's school" })
  async hireTeacher(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() input: HireTeacherInput,
  ): Promise<TeacherResponse> {
    return toTeacherResponse(await this.headmasters.hireTeacher(principal, id, input));
  }

  @CacheHint(DASHBOARD)
  @Get(':id/dashboard')
  @ApiAccess(READ)
  @ApiOperation({ summary: "The headmaster's school, its teacher count and its teachers by subject and by status" })
  async dashboard(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
  ): Promise<HeadmasterDashboardResponse> {
    return toDashboardResponse(await this.headmasters.dashboard(principal, id));
  }
}
