import { Types } from 'mongoose';
import { assignBackupIds, backupIdPrefixes } from './backup-ids';
import type { SourceRecord } from './sampler';

const id = () => new Types.ObjectId();

describe(backupIdPrefixes.name, () => {
  it('keeps configured prefixes and derives distinct ones for the other collections', () => {
    const prefixes = backupIdPrefixes(['schools', 'teachers', 'subjects', 'rooms'], { schools: '00', teachers: '20' });
    expect(prefixes.get('schools')).toBe('00');
    expect(prefixes.get('teachers')).toBe('20');
    expect(prefixes.get('subjects')).toMatch(/^[0-9a-f]{2}$/);
    expect(new Set(prefixes.values()).size).toBe(4);
    expect(backupIdPrefixes(['rooms', 'subjects'], {}).get('subjects')).toBe(prefixes.get('subjects'));
  });

  it('moves a derived prefix on when another collection has it', () => {
    const derived = backupIdPrefixes(['subjects'], {}).get('subjects')!;
    const moved = backupIdPrefixes(['other', 'subjects'], { other: derived }).get('subjects')!;
    expect(moved).toBe(((Number.parseInt(derived, 16) + 1) % 256).toString(16).padStart(2, '0'));
  });

  it('refuses two collections configured with one prefix', () => {
    expect(() => backupIdPrefixes(['a', 'b'], { a: '10', b: '10' })).toThrow(/share the id prefix 10/);
  });
});

describe(assignBackupIds.name, () => {
  const [school1, school2, subject1, subject2, teacher] = [id(), id(), id(), id(), id()];
  const records = new Map<string, SourceRecord[]>([
    [
      'schools',
      [
        { _id: school1, name: 'A' },
        { _id: school2, name: 'B' },
      ],
    ],
    [
      'subjects',
      [
        { _id: subject1, schoolId: school2 },
        { _id: subject2, schoolId: school1 },
      ],
    ],
    [
      'teachers',
      [{ _id: teacher, schoolId: school2, subjectIds: [subject2, subject1], lessons: [{ subjectId: subject1 }] }],
    ],
  ]);
  const references = [
    { from: 'subjects', field: 'schoolId', to: 'schools' },
    { from: 'teachers', field: 'schoolId', to: 'schools' },
    { from: 'teachers', field: 'subjectIds', to: 'subjects' },
    { from: 'teachers', field: 'lessons.subjectId', to: 'subjects' },
  ];
  const prefixes = new Map([
    ['schools', '00'],
    ['subjects', '30'],
    ['teachers', '20'],
  ]);

  it('numbers records in order, fb + prefix + 20 digits, and remaps every reference to them', () => {
    const result = assignBackupIds(records, references, prefixes);
    const hex = (value: unknown) => (value as Types.ObjectId).toHexString();
    expect(result.get('schools')!.map((record) => hex(record._id))).toEqual([
      'fb0000000000000000000001',
      'fb0000000000000000000002',
    ]);
    expect(result.get('subjects')!.map((record) => [hex(record._id), hex(record.schoolId)])).toEqual([
      ['fb3000000000000000000001', 'fb0000000000000000000002'],
      ['fb3000000000000000000002', 'fb0000000000000000000001'],
    ]);
    const [copy] = result.get('teachers')!;
    expect(hex(copy._id)).toBe('fb2000000000000000000001');
    expect((copy.subjectIds as unknown[]).map(hex)).toEqual(['fb3000000000000000000002', 'fb3000000000000000000001']);
    expect(hex((copy.lessons as { subjectId: unknown }[])[0].subjectId)).toBe('fb3000000000000000000001');
  });

  it('leaves the sampled records as they were', () => {
    assignBackupIds(records, references, prefixes);
    expect(records.get('teachers')![0]._id).toBe(teacher);
    expect(records.get('teachers')![0].subjectIds).toEqual([subject2, subject1]);
  });

  it('keeps the values of references by key: a code stays the code', () => {
    const withCodes = new Map(records);
    withCodes.set('teachers', [{ _id: teacher, schoolId: school2, subjects: ['art', 'latin'] }]);
    const byCode = { from: 'teachers', field: 'subjects', to: 'subjects', key: 'code', within: 'schoolId' };
    const [copy] = assignBackupIds(withCodes, [...references.slice(0, 2), byCode], prefixes).get('teachers')!;
    expect(copy.subjects).toEqual(['art', 'latin']);
    expect((copy.schoolId as Types.ObjectId).toHexString()).toBe('fb0000000000000000000002');
  });

  it('refuses a reference to a record outside the sample', () => {
    const outside = new Map(records);
    outside.set('subjects', [{ _id: subject1, schoolId: id() }]);
    expect(() => assignBackupIds(outside, references, prefixes)).toThrow(
      /schoolId refers to .* not in the schools sample/,
    );
  });
});
