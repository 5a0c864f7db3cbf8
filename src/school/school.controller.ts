import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiTags, PartialType } from '@nestjs/swagger';
import { toPageRequest } from '../common/paging/paging';
import { ParseObjectIdPipe } from '../common/validation/validation';
import { CreateSchoolInput, ListSchoolsQuery, UpdateSchoolInput } from './dto/school.inputs';
import { SchoolListResponse, SchoolResponse, toSchoolResponse } from './dto/school.response';
import { SCHOOL_SORT_FIELDS } from './school';
import { SchoolService } from './school.service';

class UpdateSchoolBody extends PartialType(CreateSchoolInput) {}

@ApiTags('schools')
@Controller('schools')
export class SchoolController {
  constructor(private readonly schools: SchoolService) {}

  @Get()
  async list(@Query() query: ListSchoolsQuery): Promise<SchoolListResponse> {
    const page = toPageRequest(query, SCHOOL_SORT_FIELDS);
    const { items, total } = await this.schools.list({ city: query.city, type: query.type }, page);
    return { items: items.map(toSchoolResponse), total, limit: page.limit, offset: page.offset };
  }

  @Get(':id')
  async get(@Param('id', new ParseObjectIdPipe()) id: string): Promise<SchoolResponse> {
    return toSchoolResponse(await this.schools.get(id));
  }

  @Post()
  async create(@Body() input: CreateSchoolInput): Promise<SchoolResponse> {
    return toSchoolResponse(await this.schools.create(input));
  }

  @Patch(':id')
  @ApiBody({ type: UpdateSchoolBody })
  async update(
    @Param('id', new ParseObjectIdPipe()) id: string,
    @Body() input: UpdateSchoolInput,
  ): Promise<SchoolResponse> {
    return toSchoolResponse(await this.schools.update(id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', new ParseObjectIdPipe()) id: string): Promise<void> {
    await this.schools.delete(id);
  }
}
