import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { IsIn, IsOptional } from 'class-validator';
import { InvalidInputError } from '../errors/domain-errors';
import { createValidationPipe } from '../validation/validation';
import { DEFAULT_PAGE_LIMIT, PagingArgs, parseSort, toPageBody } from './paging';

describe(parseSort.name, () => {
  const sortable = ['lastName', 'hiredAt', 'address.city'];

  it('sorts ascending by a bare field and descending with a leading -', () => {
    expect(parseSort('lastName', sortable)).toEqual({ lastName: 1 });
    expect(parseSort('-hiredAt', sortable)).toEqual({ hiredAt: -1 });
    expect(parseSort('address.city', sortable)).toEqual({ 'address.city': 1 });
  });

  it('leaves the order unspecified without a sort', () => {
    expect(parseSort(undefined, sortable)).toBeUndefined();
  });

  it('rejects other fields with an error naming sort', () => {
    expect(() => parseSort('email', sortable)).toThrow(InvalidInputError);
    expect(() => parseSort('--lastName', sortable)).toThrow(expect.objectContaining({ field: 'sort' }));
  });
});

describe(toPageBody.name, () => {
  it('returns the items as responses, with the total and the paging they were asked with', () => {
    const page = { items: [{ id: 'a' }, { id: 'b' }], total: 9 };
    expect(toPageBody(page, { limit: 2, offset: 4 }, (item) => item.id.toUpperCase())).toEqual({
      items: ['A', 'B'],
      total: 9,
      limit: 2,
      offset: 4,
    });
  });
});

describe(PagingArgs.name, () => {
  @InputType('PagingArgsSpecFilter')
  class ColourFilter {
    @Field({ nullable: true })
    @IsOptional()
    @IsIn(['red', 'blue'])
    colour?: string;
  }
  @ArgsType()
  class ColourArgs extends PagingArgs(ColourFilter) {}
  const validate = (args: object) => createValidationPipe().transform(args, { type: 'query', metatype: ColourArgs });

  it('takes paging defaults and a valid filter', async () => {
    await expect(validate({ filter: { colour: 'red' } })).resolves.toMatchObject({
      filter: { colour: 'red' },
      limit: DEFAULT_PAGE_LIMIT,
      offset: 0,
    });
  });

  it('names the filter before the paging when both are invalid', async () => {
    await expect(validate({ filter: { colour: 'green' }, limit: 0 })).rejects.toMatchObject({ field: 'filter.colour' });
    await expect(validate({ limit: 0, offset: -1 })).rejects.toMatchObject({ field: 'limit' });
  });
});
