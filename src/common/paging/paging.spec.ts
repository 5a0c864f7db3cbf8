import { InvalidInputError } from '../errors/domain-errors';
import { parseSort } from './paging';

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
