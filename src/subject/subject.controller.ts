import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiTags, OmitType, PartialType } from '@nestjs/swagger';
import { toPageRequest } from '../common/paging/paging';
import { ParseObjectIdPipe } from '../common/validation/validation';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateSubjectInput, ListSubjectsQuery, UpdateSubjectInput } from './dto/subject.inputs';
import { SubjectListResponse, SubjectResponse, toSubjectResponse } from './dto/subject.response';
import { SUBJECT_SORT_FIELDS } from './subject';
import { SubjectService } from './subject.service';

class UpdateSubjectBody extends PartialType(OmitType(CreateSubjectInput, ['schoolId'])) {}

@ApiTags('subjects')
@Controller('subjects')
export class SubjectController {
  constructor(private readonly subjects: SubjectService) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSubjectsQuery,
  ): Promise<SubjectListResponse> {
    const page = toPageRequest(query, SUBJECT_SORT_FIELDS);
    const { schoolId, q } = query;
    const { items, total } = await this.subjects.list(principal, { schoolId, q }, page);
    return { items: items.map(toSubjectResponse), total, limit: page.limit, offset: page.offset };
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseObjectIdPipe()) id: string,
  ): Promise<SubjectResponse> {
    return toSubjectResponse(await this.subjects.get(principal, id));
  }

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() input: CreateSubjectInput): Promise<SubjectResponse> {
    return toSubjectResponse(await this.subjects.create(principal, input));
  }

  @Patch(':id')
  @ApiBody({ type: UpdateSubjectBody })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseObjectIdPipe()) id: string,
    @Body() input: UpdateSubjectInput,
  ): Promise<SubjectResponse> {
    return toSubjectResponse(await this.subjects.update(principal, id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseObjectIdPipe()) id: string,
  ): Promise<void> {
    await this.subjects.delete(principal, id);
  }
}
