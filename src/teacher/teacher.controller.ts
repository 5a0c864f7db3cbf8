import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiTags, PartialType } from '@nestjs/swagger';
import { toPageRequest } from '../common/paging/paging';
import { ParseObjectIdPipe } from '../common/validation/validation';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateTeacherInput, ListTeachersQuery, UpdateTeacherInput } from './dto/teacher.inputs';
import { TeacherListResponse, TeacherResponse, toTeacherResponse } from './dto/teacher.response';
import { TEACHER_SORT_FIELDS } from './teacher';
import { TeacherService } from './teacher.service';

class UpdateTeacherBody extends PartialType(CreateTeacherInput) {}

@ApiTags('teachers')
@Controller('teachers')
export class TeacherController {
  constructor(private readonly teachers: TeacherService) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTeachersQuery,
  ): Promise<TeacherListResponse> {
    const page = toPageRequest(query, TEACHER_SORT_FIELDS);
    const { schoolId, subject, status, q } = query;
    const { items, total } = await this.teachers.list(principal, { schoolId, subject, status, q }, page);
    return { items: items.map(toTeacherResponse), total, limit: page.limit, offset: page.offset };
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseObjectIdPipe()) id: string,
  ): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.get(principal, id));
  }

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() input: CreateTeacherInput): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.create(principal, input));
  }

  @Patch(':id')
  @ApiBody({ type: UpdateTeacherBody })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseObjectIdPipe()) id: string,
    @Body() input: UpdateTeacherInput,
  ): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.update(principal, id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseObjectIdPipe()) id: string,
  ): Promise<void> {
    await this.teachers.delete(principal, id);
  }
}
