import { find } from 'mingo';
import { everyWordIn } from './word-search';

const PEOPLE = [
  { firstName: 'Ada', lastName: 'Lovelace' },
  { firstName: 'Alan', lastName: 'Turing' },
  { firstName: 'Grace', lastName: 'Hopper (RN)' },
];

const namesMatching = (q: string | undefined) =>
  find(PEOPLE, everyWordIn(q, ['firstName', 'lastName']) as Record<string, unknown>)
    .all()
    .map((person) => (person as (typeof PEOPLE)[number]).lastName);

describe(everyWordIn.name, () => {
  it('matches records in which every word occurs in one of the fields, ignoring case', () => {
    expect(namesMatching('ada LOVE')).toEqual(['Lovelace']);
    expect(namesMatching('a')).toEqual(['Lovelace', 'Turing', 'Hopper (RN)']);
    expect(namesMatching('ada turing')).toEqual([]);
  });

  it('takes the words literally, not as patterns', () => {
    expect(namesMatching('(rn)')).toEqual(['Hopper (RN)']);
    expect(namesMatching('.*')).toEqual([]);
  });

  it('adds no condition without words', () => {
    expect(everyWordIn(undefined, ['name'])).toEqual({});
    expect(everyWordIn('   ', ['name'])).toEqual({});
  });
});
