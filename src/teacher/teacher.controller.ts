import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiTags, PartialType } from '@nestjs/swagger';
import { toPageRequest } from '../common/paging/paging';
import { ParseObjectIdPipe } from '../common/validation/validation';
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
  async list(@Query() query: ListTeachersQuery): Promise<TeacherListResponse> {
    const page = toPageRequest(query, TEACHER_SORT_FIELDS);
    const { schoolId, subject, status, q } = query;
    const { items, total } = await this.teachers.list({ schoolId, subject, status, q }, page);
    return { items: items.map(toTeacherResponse), total, limit: page.limit, offset: page.offset };
  }

  @Get(':id')
  async get(@Param('id', new ParseObjectIdPipe()) id: string): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.get(id));
  }

  @Post()
  async create(@Body() input: CreateTeacherInput): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.create(input));
  }

  @Patch(':id')
  @ApiBody({ type: UpdateTeacherBody })
  async update(
    @Param('id', new ParseObjectIdPipe()) id: string,
    @Body() input: UpdateTeacherInput,
  ): Promise<TeacherResponse> {
    return toTeacherResponse(await this.teachers.update(id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', new ParseObjectIdPipe()) id: string): Promise<void> {
    await this.teachers.delete(id);
  }
}
