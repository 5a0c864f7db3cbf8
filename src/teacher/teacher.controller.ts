import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiTags, PartialType } from '@nestjs/swagger';
import { toPageBody, toPageRequest } from '../common/paging/paging';
import { IdParam } from '../common/validation/id-params';
import { ApiAccess, notFoundOrNotYours } from '../security/api-access-responses';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateTeacherInput, ListTeachersQuery, UpdateTeacherInput } from './dto/teacher.inputs';
import { TeacherPageResponse, TeacherResponse, toTeacherResponse } from './dto/teacher.response';
import { TEACHER_SORT_FIELDS } from './teacher';
import { TeacherService } from './teacher.service';

class UpdateTeacherBody extends PartialType(CreateTeacherInput) {}

const NOT_FOUND = notFoundOrNotYours('teacher', 'a teacher of a school the caller does not belong to');
const MANAGE_FORBIDDEN = 'Teachers never change or remove teachers, whatever the id';
const LIST_FORBIDDEN =
  'A schoolId of another school; for teachers, a status filter or a sort on what colleagues do not show';

@ApiTags('teachers')
@Controller('teachers')
export class TeacherController {
  constructor(private readonly teachers: TeacherService) {}

  @Get()
  @ApiAccess({ forbidden: LIST_FORBIDDEN })
  @ApiOkResponse({ type: TeacherPageResponse })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTeachersQuery,
  ): Promise<TeacherPageResponse> {
    const page = toPageRequest(query, TEACHER_SORT_FIELDS);
    const { schoolId, subject, status, q } = query;
    return toPageBody(
      await this.teachers.list(principal, { schoolId, subject, status, q }, page),
      page,
      toTeacherResponse,
    );
  }

  @Get(':id')
  @ApiAccess({ notFound: NOT_FOUND })
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.get(principal, id));
  }

  @ApiBadRequestResponse({
    description:
      '`schoolId` names no school, or `subjects` holds codes that are not subjects of that school; `field` names it.',
  })
  @Post()
  @ApiAccess({ forbidden: 'Not a headmaster of the school, nor an admin' })
  async create(@CurrentPrincipal() principal: Principal, @Body() input: CreateTeacherInput): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.create(principal, input));
  }

  @ApiBadRequestResponse({
    description:
      '`schoolId` names no school, or `subjects` holds codes that are not subjects of the (new) school; `field` names it.',
  })
  @Patch(':id')
  @ApiAccess({
    forbidden: `${MANAGE_FORBIDDEN}; a move to a school the caller does not head`,
    notFound: NOT_FOUND,
  })
  @ApiBody({ type: UpdateTeacherBody })
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() input: UpdateTeacherInput,
  ): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.update(principal, id, input));
  }

  @Delete(':id')
  @ApiAccess({ forbidden: MANAGE_FORBIDDEN, notFound: NOT_FOUND })
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<void> {
    await this.teachers.delete(principal, id);
  }
}
