import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import { generateDemoData } from '../../src/demo-data/demo-data';
import type { TestCaller } from './tokens';

interface RecordWithSchool {
  _id: mongo.ObjectId;
  schoolId: mongo.ObjectId;
}

export interface SchoolRecords {
  schools: { _id: mongo.ObjectId }[];
  headmasters: RecordWithSchool[];
  teachers: RecordWithSchool[];
  subjects: RecordWithSchool[];
}

/** A school seen from inside (its headmaster, a teacher, a colleague and a subject) and another school. */
export interface SchoolWorld {
  own: { school: string; headmaster: string; teacher: string; colleague: string; subject: string };
  other: { school: string; headmaster: string; teacher: string; subject: string };
  callers: {
    anonymous: TestCaller;
    teacher: TestCaller;
    headmaster: TestCaller;
    admin: TestCaller;
  };
  /** How many records of each kind the data holds, and how many of them belong to the own school. */
  counts: {
    schools: number;
    headmasters: number;
    teachers: number;
    subjects: number;
    ownHeadmasters: number;
    ownTeachers: number;
    otherSubjects: number;
  };
}

const hex = (id: mongo.ObjectId) => id.toHexString();

/** Picks two schools that each have a headmaster, teachers (the first at least two) and subjects. */
export function worldOf(records: SchoolRecords): SchoolWorld {
  const membersOf = (schoolId: string) => ({
    headmasters: records.headmasters.filter((headmaster) => hex(headmaster.schoolId) === schoolId),
    teachers: records.teachers.filter((teacher) => hex(teacher.schoolId) === schoolId),
    subjects: records.subjects.filter((subject) => hex(subject.schoolId) === schoolId),
  });
  const candidates = records.schools.map((school) => ({ id: hex(school._id), ...membersOf(hex(school._id)) }));
  const own = candidates.find(
    (school) => school.headmasters.length > 0 && school.teachers.length >= 2 && school.subjects.length > 0,
  );
  const other = candidates.find(
    (school) =>
      school !== own && school.headmasters.length > 0 && school.teachers.length > 0 && school.subjects.length > 0,
  );
  if (!own || !other) throw new Error('the data has no two schools with headmasters and teachers');
  const world = {
    own: {
      school: own.id,
      headmaster: hex(own.headmasters[0]._id),
      teacher: hex(own.teachers[0]._id),
      colleague: hex(own.teachers[1]._id),
      subject: hex(own.subjects[0]._id),
    },
    other: {
      school: other.id,
      headmaster: hex(other.headmasters[0]._id),
      teacher: hex(other.teachers[0]._id),
      subject: hex(other.subjects[0]._id),
    },
    counts: {
      schools: records.schools.length,
      headmasters: records.headmasters.length,
      teachers: records.teachers.length,
      subjects: records.subjects.length,
      ownHeadmasters: own.headmasters.length,
      ownTeachers: own.teachers.length,
      otherSubjects: other.subjects.length,
    },
  };
  return {
    ...world,
    callers: {
      anonymous: { role: 'anonymous' },
      teacher: { role: 'teacher', schoolId: world.own.school, sub: world.own.teacher },
      headmaster: { role: 'headmaster', schoolId: world.own.school, sub: world.own.headmaster },
      admin: { role: 'admin', sub: 'world-admin' },
    },
  };
}

/** The records of a backup fixture file (Extended JSON, one document per line). */
export function readFixture(fileFromSrc: string): any[] {
  const text = readFileSync(join(__dirname, '..', '..', 'src', fileFromSrc), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => mongo.BSON.EJSON.parse(line, { relaxed: false }));
}

/** The demo data set the test databases are seeded with. */
export function demoWorld(): SchoolWorld {
  return worldOf(generateDemoData());
}

/** The backup data the service answers from during an outage. */
export function backupWorld(): SchoolWorld {
  return worldOf({
    schools: readFixture('school/persistence/fixtures/schools.json'),
    headmasters: readFixture('headmaster/persistence/fixtures/headmasters.json'),
    teachers: readFixture('teacher/persistence/fixtures/teachers.json'),
    subjects: readFixture('subject/persistence/fixtures/subjects.json'),
  });
}
