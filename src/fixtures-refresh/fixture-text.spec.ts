import mongoose, { Types } from 'mongoose';
import { compareFixtureTexts, toFixtureText } from './fixture-text';

describe(toFixtureText.name, () => {
  it('writes one relaxed Extended JSON document per line, dates as mongoexport writes them', () => {
    const text = toFixtureText([
      {
        _id: new Types.ObjectId('fb0000000000000000000001'),
        at: new Date('2024-02-12T09:15:00Z'),
        precise: new Date('2024-02-12T09:15:00.123Z'),
        count: 3,
        ratio: 0.5,
        tags: ['a'],
      },
      { _id: new Types.ObjectId('fb0000000000000000000002') },
    ]);
    expect(text).toBe(
      '{"_id":{"$oid":"fb0000000000000000000001"},"at":{"$date":"2024-02-12T09:15:00Z"},' +
        '"precise":{"$date":"2024-02-12T09:15:00.123Z"},"count":3,"ratio":0.5,"tags":["a"]}\n' +
        '{"_id":{"$oid":"fb0000000000000000000002"}}\n',
    );
    const [first] = text.split('\n');
    expect(mongoose.mongo.BSON.EJSON.parse(first, { relaxed: false })).toHaveProperty(
      'at',
      new Date('2024-02-12T09:15:00Z'),
    );
  });

  it('writes an empty file for no records', () => {
    expect(toFixtureText([])).toBe('');
  });
});

describe(compareFixtureTexts.name, () => {
  const line = (n: number, name: string) =>
    `{"_id":{"$oid":"fb00000000000000000000${String(n).padStart(2, '0')}"},"name":"${name}"}`;

  it('counts records added, removed and changed, by _id', () => {
    const before = [line(1, 'a'), line(2, 'b'), line(3, 'c')].join('\n') + '\n';
    const after = [line(1, 'a'), line(2, 'B'), line(4, 'd'), line(5, 'e')].join('\n') + '\n';
    expect(compareFixtureTexts(before, after)).toEqual({
      before: 3,
      after: 4,
      added: 2,
      removed: 1,
      changed: 1,
      identical: false,
    });
    expect(compareFixtureTexts(after, after)).toMatchObject({ added: 0, removed: 0, changed: 0, identical: true });
    expect(compareFixtureTexts(undefined, after)).toMatchObject({ before: 0, added: 4, identical: false });
  });
});
