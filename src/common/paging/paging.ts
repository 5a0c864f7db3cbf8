import { ArgsType, Field, Int, IntersectionType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as ClassType } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { InvalidInputError } from '../errors/domain-errors';

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

export type SortDirection = 1 | -1;
export type SortSpec = Record<string, SortDirection>;

export interface PageRequest {
  limit: number;
  offset: number;
  sort?: SortSpec;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Paging arguments shared by every REST list endpoint (query string) and GraphQL list field (arguments). */
@ArgsType()
export class PagingQuery {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_LIMIT })
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @Field(() => Int, { defaultValue: 0 })
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset: number = 0;

  @Field(() => String, { nullable: true, description: 'Field to sort by; a leading "-" sorts descending' })
  @ApiPropertyOptional({ description: 'Field to sort by; a leading "-" sorts descending, e.g. -hiredAt' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(/^-?[A-Za-z.]+$/, { message: 'sort must be a field name, optionally prefixed with -' })
  sort?: string;
}

/**
 * The arguments of a GraphQL list field: an optional `filter` of the given input type, then paging and sort. A
 * feature declares its own (`@ArgsType() class SchoolsArgs extends PagingArgs(SchoolFilterInput) {}`). Composed
 * with IntersectionType rather than inherited, so that the filter is validated (and a failure in it answered)
 * before the paging, as when each feature declared it on a subclass of PagingQuery.
 */
export function PagingArgs<TFilter extends object>(
  filterType: ClassType<TFilter>,
): ClassType<PagingQuery & { filter?: TFilter }> {
  @ArgsType()
  class FilterArgs {
    @Field(() => filterType, { nullable: true })
    @IsOptional()
    @ValidateNested()
    @Type(() => filterType)
    filter?: TFilter;
  }
  return IntersectionType(FilterArgs, PagingQuery, ArgsType);
}

export function toPageRequest(query: PagingQuery, sortableFields: readonly string[]): PageRequest {
  return { limit: query.limit, offset: query.offset, sort: parseSort(query.sort, sortableFields) };
}

/** Turns `lastName` / `-hiredAt` into a sort spec, accepting only the given fields. */
export function parseSort(sort: string | undefined, sortableFields: readonly string[]): SortSpec | undefined {
  if (!sort) return undefined;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  if (!sortableFields.includes(field)) {
    throw new InvalidInputError(
      `sort must be one of ${sortableFields.join(', ')} (optionally prefixed with -)`,
      'sort',
    );
  }
  return { [field]: descending ? -1 : 1 };
}

/** GraphQL page type for a model: `{ items, total }`. */
export function PageType<T>(itemType: ClassType<T>, name: string): ClassType<Page<T>> {
  @ObjectType(name)
  class PageOfItems implements Page<T> {
    @Field(() => [itemType])
    items!: T[];

    @Field(() => Int)
    total!: number;
  }
  return PageOfItems;
}

/** A page as REST answers it: the items, the total of the filter, and the limit and offset it was asked with. */
export interface PageBody<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * The REST page response of an item response class, described for OpenAPI. A feature names its own page
 * (`class SchoolPageResponse extends PageResponse(SchoolResponse) {}`), as OpenAPI names schemas by class.
 */
export function PageResponse<T>(itemType: ClassType<T>): ClassType<PageBody<T>> {
  class PageOfItems implements PageBody<T> {
    @ApiProperty({ type: [itemType] })
    items!: T[];

    @ApiProperty()
    total!: number;

    @ApiProperty()
    limit!: number;

    @ApiProperty()
    offset!: number;
  }
  return PageOfItems;
}

/** The REST answer of a page: its items mapped to responses, with the paging it was asked with. */
export function toPageBody<T, R>(page: Page<T>, request: PageRequest, toResponse: (item: T) => R): PageBody<R> {
  return {
    items: page.items.map((item) => toResponse(item)),
    total: page.total,
    limit: request.limit,
    offset: request.offset,
  };
}
