import {
  DEFAULT_DEMO_SEED,
  ELECTIVE_SUBJECTS,
  generateDemoData,
  MAX_TEACHERS_PER_SCHOOL,
  MIN_TEACHERS_PER_SCHOOL,
  TEACHER_SUBJECTS,
  type DemoData,
} from './demo-data';
import { SCHOOL_TYPES } from '../school/school';
import { TEACHER_STATUSES } from '../teacher/teacher';

const DEMO_EMAIL = /^[a-z-]+\.[a-z-]+\.\d{3}@demo\.school\.test$/;
const DEMO_SCHOOL_EMAIL = /^office\.sch-\d{4}@demo\.school\.test$/;
const DEMO_PHONE = /^\+44 20 7946 0\d{3}$/;
const BASE_DATE = new Date('2026-01-01T00:00:00Z');

function duplicatesOf(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe(generateDemoData.name, () => {
  let data: DemoData;

  beforeAll(() => {
    data = generateDemoData();
  });

  describe('determinism', () => {
    it('returns deep-equal data for the same seed', () => {
      const again = generateDemoData(DEFAULT_DEMO_SEED);
      expect(again).toEqual(data);
      // toEqual on ObjectIds compares object internals; the JSON form compares the hex ids and ISO dates.
      expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    });

    it('uses DEFAULT_DEMO_SEED when no seed is given', () => {
      expect(DEFAULT_DEMO_SEED).toBe(20261122);
      expect(JSON.stringify(generateDemoData(20261122))).toBe(JSON.stringify(data));
    });

    it('returns different data for a different seed', () => {
      const other = generateDemoData(DEFAULT_DEMO_SEED + 1);
      expect(JSON.stringify(other)).not.toBe(JSON.stringify(data));
      expect(other.schools[0]._id.toHexString()).not.toBe(data.schools[0]._id.toHexString());
      expect(other.teachers.map((t) => t.email)).not.toEqual(data.teachers.map((t) => t.email));
    });

    it('keeps the fixed counts for other seeds', () => {
      for (const seed of [1, 42, 987654321]) {
        const other = generateDemoData(seed);
        expect([other.schools.length, other.headmasters.length, other.teachers.length]).toEqual([40, 40, 800]);
      }
    });
  });

  describe('counts', () => {
    it('has 40 schools, 40 headmasters and 800 teachers', () => {
      expect(data.schools).toHaveLength(40);
      expect(data.headmasters).toHaveLength(40);
      expect(data.teachers).toHaveLength(800);
    });

    it('spreads teachers unevenly, within the per-school bounds', () => {
      const perSchool = countBy(data.teachers, (teacher) => teacher.schoolId.toHexString());
      expect(perSchool.size).toBe(40);
      const sizes = [...perSchool.values()];
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(MIN_TEACHERS_PER_SCHOOL);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_TEACHERS_PER_SCHOOL);
      expect(new Set(sizes).size).toBeGreaterThan(5);
    });
  });

  describe('referential consistency', () => {
    it('gives every school exactly one headmaster', () => {
      const schoolIds = data.schools.map((school) => school._id.toHexString()).sort();
      const headedSchools = data.headmasters.map((headmaster) => headmaster.schoolId.toHexString()).sort();
      expect(headedSchools).toEqual(schoolIds);
    });

    it('assigns every teacher to an existing school', () => {
      const schoolIds = new Set(data.schools.map((s) => s._id.toHexString()));
      for (const teacher of data.teachers) {
        expect(schoolIds.has(teacher.schoolId.toHexString())).toBe(true);
      }
    });

    it('gives every school the subjects its teachers teach, each code once per school', () => {
      const codesBySchool = new Map<string, string[]>();
      for (const subject of data.subjects) {
        const schoolId = subject.schoolId.toHexString();
        codesBySchool.set(schoolId, [...(codesBySchool.get(schoolId) ?? []), subject.code]);
      }
      expect([...codesBySchool.keys()].sort()).toEqual(data.schools.map((s) => s._id.toHexString()).sort());
      for (const codes of codesBySchool.values()) expect(duplicatesOf(codes)).toEqual([]);
      for (const teacher of data.teachers) {
        expect(codesBySchool.get(teacher.schoolId.toHexString())).toEqual(expect.arrayContaining(teacher.subjects));
      }
    });

    it('teaches the whole curriculum everywhere, and electives at some secondary and combined schools', () => {
      const schoolOf = new Map(data.schools.map((school) => [school._id.toHexString(), school]));
      for (const school of data.schools) {
        const codes = data.subjects.filter((s) => s.schoolId.equals(school._id)).map((s) => s.code);
        expect(codes.slice(0, TEACHER_SUBJECTS.length)).toEqual([...TEACHER_SUBJECTS]);
      }
      const electives = data.subjects.filter((s) => (ELECTIVE_SUBJECTS as readonly string[]).includes(s.code));
      expect(electives.length).toBeGreaterThan(5);
      for (const elective of electives) {
        expect(['secondary', 'combined']).toContain(schoolOf.get(elective.schoolId.toHexString())!.type);
      }
      for (const subject of data.subjects) expect(subject.name).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
    });

    it('uses unique ObjectIds across all four collections', () => {
      const ids = [...data.schools, ...data.headmasters, ...data.teachers, ...data.subjects].map((d) =>
        d._id.toHexString(),
      );
      expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
      expect(duplicatesOf(ids)).toEqual([]);
    });
  });

  describe('uniqueness', () => {
    it('has unique school codes in the SCH-0001 format', () => {
      const codes = data.schools.map((s) => s.code);
      expect(codes.every((code) => /^SCH-\d{4}$/.test(code))).toBe(true);
      expect(duplicatesOf(codes)).toEqual([]);
    });

    it('has unique school names and e-mails', () => {
      expect(duplicatesOf(data.schools.map((s) => s.name))).toEqual([]);
      expect(duplicatesOf(data.schools.map((s) => s.email))).toEqual([]);
    });

    it('has e-mails unique across headmasters and teachers', () => {
      const emails = [...data.headmasters, ...data.teachers].map((p) => p.email);
      expect(duplicatesOf(emails)).toEqual([]);
    });
  });

  describe('demo contact details', () => {
    it('uses the demo.school.test domain for every e-mail', () => {
      for (const person of [...data.headmasters, ...data.teachers]) {
        expect(person.email).toMatch(DEMO_EMAIL);
      }
      for (const school of data.schools) {
        expect(school.email).toMatch(DEMO_SCHOOL_EMAIL);
      }
    });

    it('uses the fictional +44 20 7946 0xxx range for every phone', () => {
      for (const record of [...data.schools, ...data.headmasters, ...data.teachers]) {
        expect(record.phone).toMatch(DEMO_PHONE);
      }
    });

    it('never uses the backup fixtures’ example.org domain or 555 numbers', () => {
      const serialized = JSON.stringify(data);
      expect(serialized).not.toContain('example.org');
      expect(serialized).not.toMatch(/\b555\b/);
    });
  });

  describe('field values', () => {
    it('uses only known school types, teacher statuses and subjects', () => {
      for (const school of data.schools) expect(SCHOOL_TYPES).toContain(school.type);
      for (const teacher of data.teachers) {
        expect(TEACHER_STATUSES).toContain(teacher.status);
        expect(teacher.subjects.length).toBeGreaterThanOrEqual(1);
        expect(teacher.subjects.length).toBeLessThanOrEqual(3);
        expect(new Set(teacher.subjects).size).toBe(teacher.subjects.length);
        for (const subject of teacher.subjects) expect(TEACHER_SUBJECTS).toContain(subject);
      }
    });

    it('makes most teachers active, with some on leave and a few who left', () => {
      const statuses = countBy(data.teachers, (teacher) => teacher.status);
      const share = (status: string): number => (statuses.get(status) ?? 0) / data.teachers.length;
      expect(share('active')).toBeGreaterThan(0.75);
      expect(share('on_leave')).toBeGreaterThan(0.04);
      expect(share('on_leave')).toBeLessThan(0.16);
      expect(share('left')).toBeGreaterThan(0.01);
      expect(share('left')).toBeLessThan(0.1);
    });

    it('spreads schools over about ten cities in several regions', () => {
      const cities = new Set(data.schools.map((s) => s.address.city));
      const regions = new Set(data.schools.map((s) => s.address.region));
      expect(cities.size).toBeGreaterThanOrEqual(8);
      expect(regions.size).toBeGreaterThanOrEqual(3);
      for (const { address } of data.schools) {
        expect(address.street).toMatch(/^\d+ \S/);
        expect(address.postalCode).toMatch(/^[A-Z]{1,2}\d{1,2} \d[A-Z]{2}$/);
      }
    });

    it('dates everything before 2026-01-01 in a consistent order', () => {
      const records = [...data.schools, ...data.headmasters, ...data.teachers, ...data.subjects];
      for (const record of records) {
        expect(record.createdAt.getTime()).toBeLessThanOrEqual(record.updatedAt.getTime());
        expect(record.updatedAt.getTime()).toBeLessThanOrEqual(BASE_DATE.getTime());
        // The ObjectId embeds the creation time, as if the server had minted it.
        expect(record._id.getTimestamp().getTime()).toBe(record.createdAt.getTime());
      }
      for (const headmaster of data.headmasters) {
        expect(headmaster.appointedAt.getTime()).toBeLessThanOrEqual(headmaster.createdAt.getTime());
      }
      for (const teacher of data.teachers) {
        expect(teacher.hiredAt.getTime()).toBeLessThanOrEqual(teacher.createdAt.getTime());
      }
    });
  });
});
