import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  OmitType,
  PartialType,
} from '@nestjs/swagger';
import { toPageBody, toPageRequest } from '../common/paging/paging';
import { IdParam } from '../common/validation/id-params';
import { ApiAccess } from '../security/api-access-responses';
import { CurrentPrincipal } from '../security/current-principal';
import type { Principal } from '../common/principal';
import { CreateSubjectInput, ListSubjectsQuery, UpdateSubjectInput } from './dto/subject.inputs';
import { SubjectPageResponse, SubjectResponse, toSubjectResponse } from './dto/subject.response';
import { SUBJECT_SORT_FIELDS } from './subject';
import { SubjectService } from './subject.service';

class UpdateSubjectBody extends PartialType(OmitType(CreateSubjectInput, ['schoolId'])) {}

const WRITE = {
  forbidden:
    "Teachers, whatever the id; another school's subject (subjects are public: refusing one tells nothing a read would not)",
  notFound: 'No subject with this id',
};

@ApiTags('subjects')
@Controller('subjects')
export class SubjectController {
  constructor(private readonly subjects: SubjectService) {}

  @Get()
  @ApiOkResponse({ type: SubjectPageResponse })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSubjectsQuery,
  ): Promise<SubjectPageResponse> {
    const page = toPageRequest(query, SUBJECT_SORT_FIELDS);
    const { schoolId, q } = query;
    return toPageBody(await this.subjects.list(principal, { schoolId, q }, page), page, toSubjectResponse);
  }

  @Get(':id')
  @ApiNotFoundResponse({ description: 'No subject with this id (subjects are public)' })
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<SubjectResponse> {
    return toSubjectResponse(await this.subjects.get(principal, id));
  }

  @ApiBadRequestResponse({ description: '`schoolId` names no school (or another field is invalid); `field` names it.' })
  @Post()
  @ApiAccess({ forbidden: 'Not a headmaster of the school, nor an admin' })
  async create(@CurrentPrincipal() principal: Principal, @Body() input: CreateSubjectInput): Promise<SubjectResponse> {
    return toSubjectResponse(await this.subjects.create(principal, input));
  }

  @ApiConflictResponse({
    description: 'Teachers of the school teach this subject: its code cannot change. The message says how many.',
  })
  @Patch(':id')
  @ApiAccess(WRITE)
  @ApiBody({ type: UpdateSubjectBody })
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() input: UpdateSubjectInput,
  ): Promise<SubjectResponse> {
    return toSubjectResponse(await this.subjects.update(principal, id, input));
  }

  @ApiConflictResponse({
    description: 'Teachers of the school teach this subject: it cannot be deleted. The message says how many.',
  })
  @Delete(':id')
  @ApiAccess(WRITE)
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<void> {
    await this.subjects.delete(principal, id);
  }
}
