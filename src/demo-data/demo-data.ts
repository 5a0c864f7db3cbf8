import { Types, type mongo } from 'mongoose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SeededRandom, type WeightedOption } from '../common/seeded-random';
import { SCHOOL_TYPES, type SchoolType } from '../school/school';
import type { TeacherStatus } from '../teacher/teacher';

/**
 * Reproducible demo data for a fresh embedded database.
 *
 * Everything (ids, names, dates) is derived from one numeric seed, so every newcomer sees the
 * same schools and the same teachers. Contact details are deliberately fictional and easy to
 * recognise: e-mails end in `@demo.school.test` and phones are in the `+44 20 7946 0xxx` range
 * Ofcom reserves for drama, unlike the backup fixtures which use example.org and 555 numbers.
 */

export const DEFAULT_DEMO_SEED = 20261122;
export const DEMO_EMAIL_DOMAIN = 'demo.school.test';

export const TEACHER_SUBJECTS = [
  'mathematics',
  'english',
  'physics',
  'chemistry',
  'biology',
  'history',
  'geography',
  'art',
  'music',
  'physical-education',
  'computing',
  'french',
  'spanish',
  'religious-education',
  'drama',
] as const;
export type TeacherSubject = (typeof TEACHER_SUBJECTS)[number];

/** Subjects some secondary and combined schools teach beyond the curriculum every school teaches. */
export const ELECTIVE_SUBJECTS = ['latin', 'economics', 'psychology', 'design-technology', 'sociology'] as const;

const SUBJECT_NAMES: Record<TeacherSubject | (typeof ELECTIVE_SUBJECTS)[number], string> = {
  mathematics: 'Mathematics',
  english: 'English',
  physics: 'Physics',
  chemistry: 'Chemistry',
  biology: 'Biology',
  history: 'History',
  geography: 'Geography',
  art: 'Art and design',
  music: 'Music',
  'physical-education': 'Physical education',
  computing: 'Computing',
  french: 'French',
  spanish: 'Spanish',
  'religious-education': 'Religious education',
  drama: 'Drama',
  latin: 'Latin',
  economics: 'Economics',
  psychology: 'Psychology',
  'design-technology': 'Design and technology',
  sociology: 'Sociology',
};

export const DEMO_SCHOOL_COUNT = 40;
export const DEMO_TEACHER_COUNT = 800;
export const MIN_TEACHERS_PER_SCHOOL = 8;
export const MAX_TEACHERS_PER_SCHOOL = 35;

// Type aliases rather than interfaces: the driver's `Collection<T>` requires `T extends Document`
// (an index-signature type), which interfaces do not satisfy.
export type AddressSeed = {
  street: string;
  city: string;
  region: string;
  postalCode: string;
};

export type SchoolSeed = {
  _id: Types.ObjectId;
  name: string;
  code: string;
  type: SchoolType;
  address: AddressSeed;
  phone: string;
  email: string;
  createdAt: Date;
  updatedAt: Date;
};

/** What headmasters and teachers have in common: a person at a school. */
export type PersonSeed = {
  _id: Types.ObjectId;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  schoolId: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};

export type HeadmasterSeed = PersonSeed & { appointedAt: Date };

export type TeacherSeed = PersonSeed & { subjects: TeacherSubject[]; status: TeacherStatus; hiredAt: Date };

export type SubjectSeed = {
  _id: Types.ObjectId;
  name: string;
  code: string;
  schoolId: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};

export type DemoData = {
  schools: SchoolSeed[];
  headmasters: HeadmasterSeed[];
  teachers: TeacherSeed[];
  subjects: SubjectSeed[];
};

export type DemoDataCounts = Record<keyof DemoData, number>;

export type SeedDemoDataResult = {
  seeded: boolean;
  /** Documents inserted by this call (all zero when the database already had data). */
  counts: DemoDataCounts;
};

/** The only part of the driver's `Db` that seeding needs; `mongoose.connection.db` satisfies it. */
export type DemoDataTarget = Pick<mongo.Db, 'collection'>;

const INSERT_CHUNK_SIZE = 500;

/** All generated dates lie before this instant, so the data never depends on the clock. */
const BASE_TIME_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;

// UK inward codes never use these letters: C, I, K, M, O, V.
const POSTCODE_INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

const wordList = z.array(z.string().min(1)).min(1);

/** The words names, streets and places are drawn from: data, in demo-words.json beside this module. */
const DemoWords = z.object({
  firstNames: wordList,
  lastNames: wordList,
  // One prefix per school (drawn without replacement), so school names are unique.
  schoolNamePrefixes: z.array(z.string().min(1)).min(DEMO_SCHOOL_COUNT),
  schoolNameSuffixes: z.record(z.enum(SCHOOL_TYPES), wordList),
  streetNames: wordList,
  streetKinds: wordList,
  cities: z
    .array(
      z.object({
        name: z.string().min(1),
        region: z.string().min(1),
        postcodeAreas: wordList,
        weight: z.number().positive(),
      }),
    )
    .min(1),
});
type City = z.infer<typeof DemoWords>['cities'][number];

const WORDS = DemoWords.parse(JSON.parse(readFileSync(join(__dirname, 'demo-words.json'), 'utf8')));

const SCHOOL_TYPE_WEIGHTS: readonly WeightedOption<SchoolType>[] = [
  ['primary', 0.5],
  ['secondary', 0.3],
  ['combined', 0.12],
  ['special', 0.08],
];

/** Relative staff size per school type; multiplied by a per-school random factor. */
const STAFF_SIZE_BY_TYPE: Record<SchoolType, number> = {
  primary: 1,
  secondary: 2.2,
  combined: 2.6,
  special: 0.5,
};

const TEACHER_STATUS_WEIGHTS: readonly WeightedOption<TeacherStatus>[] = [
  ['active', 0.85],
  ['on_leave', 0.1],
  ['left', 0.05],
];

const SUBJECTS_PER_TEACHER_WEIGHTS: readonly WeightedOption<number>[] = [
  [1, 0.45],
  [2, 0.4],
  [3, 0.15],
];

function toHex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** The demo data's random source: also mints ObjectIds as a server would have. */
class DemoRandom extends SeededRandom {
  /** ObjectId whose embedded timestamp is `createdAt`, like one the server would have minted. */
  objectIdAt(createdAt: Date): Types.ObjectId {
    const timestampHex = toHex32(Math.floor(createdAt.getTime() / 1000));
    return new Types.ObjectId(timestampHex + toHex32(this.uint32()) + toHex32(this.uint32()));
  }
}

function demoPhone(random: DemoRandom): string {
  return `+44 20 7946 0${String(random.int(0, 999)).padStart(3, '0')}`;
}

function emailLocalPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z-]/g, '');
}

function postalCode(random: DemoRandom, city: City): string {
  const area = random.pick(city.postcodeAreas);
  const district = random.int(1, 20);
  const letters = random.pick([...POSTCODE_INWARD_LETTERS]) + random.pick([...POSTCODE_INWARD_LETTERS]);
  return `${area}${district} ${random.int(1, 9)}${letters}`;
}

type Person = { firstName: string; lastName: string; email: string; phone: string };

/** Draws a person whose e-mail is not in `usedEmails`, and records it there. */
function drawPerson(random: DemoRandom, usedEmails: Set<string>): Person {
  const firstName = random.pick(WORDS.firstNames);
  const lastName = random.pick(WORDS.lastNames);
  const namePart = `${emailLocalPart(firstName)}.${emailLocalPart(lastName)}`;
  let email: string;
  do {
    email = `${namePart}.${random.int(100, 999)}@${DEMO_EMAIL_DOMAIN}`;
  } while (usedEmails.has(email));
  usedEmails.add(email);
  return { firstName, lastName, email, phone: demoPhone(random) };
}

/**
 * Splits `total` teachers over schools in proportion to `staffWeights`, keeping every school
 * within [MIN_TEACHERS_PER_SCHOOL, MAX_TEACHERS_PER_SCHOOL].
 */
function allocateTeacherCounts(random: DemoRandom, staffWeights: readonly number[], total: number): number[] {
  const counts = staffWeights.map(() => MIN_TEACHERS_PER_SCHOOL);
  let remaining = total - counts.length * MIN_TEACHERS_PER_SCHOOL;
  if (remaining < 0 || total > counts.length * MAX_TEACHERS_PER_SCHOOL) {
    throw new Error(`Cannot fit ${total} teachers into ${counts.length} schools`);
  }
  for (; remaining > 0; remaining--) {
    const openSchools: WeightedOption<number>[] = [];
    counts.forEach((count, index) => {
      if (count < MAX_TEACHERS_PER_SCHOOL) openSchools.push([index, staffWeights[index]]);
    });
    counts[random.weighted(openSchools)]++;
  }
  return counts;
}

/** The headmaster of a school of the demo data (every school has one: the headmaster's schoolId names it). */
export function headmasterOf(data: DemoData, school: Pick<SchoolSeed, '_id'>): HeadmasterSeed {
  const headmaster = data.headmasters.find((candidate) => candidate.schoolId.equals(school._id));
  if (!headmaster) throw new Error(`school ${school._id.toHexString()} has no headmaster in the demo data`);
  return headmaster;
}

export function generateDemoData(seed: number = DEFAULT_DEMO_SEED): DemoData {
  const random = new DemoRandom(seed);
  const usedEmails = new Set<string>();
  const schools: SchoolSeed[] = [];
  const headmasters: HeadmasterSeed[] = [];
  const teachers: TeacherSeed[] = [];

  // Records are stamped as entered during 2025, so every date is at least a month before the base.
  const recordsFromMs = BASE_TIME_MS - YEAR_MS;
  const recordsToMs = BASE_TIME_MS - 30 * DAY_MS;

  const namePrefixes = random.shuffled(WORDS.schoolNamePrefixes);
  for (let index = 0; index < DEMO_SCHOOL_COUNT; index++) {
    const type = random.weighted(SCHOOL_TYPE_WEIGHTS);
    const city = random.weighted(WORDS.cities.map((candidate) => [candidate, candidate.weight] as const));
    const code = `SCH-${String(index + 1).padStart(4, '0')}`;
    const schoolCreatedAt = random.dateBetween(recordsFromMs, recordsToMs);
    const schoolId = random.objectIdAt(schoolCreatedAt);

    const person = drawPerson(random, usedEmails);
    const appointedAt = random.dateBetween(BASE_TIME_MS - 12 * YEAR_MS, recordsToMs);
    const headmasterCreatedAt = random.dateBetween(
      Math.max(schoolCreatedAt.getTime(), appointedAt.getTime()),
      BASE_TIME_MS,
    );
    const headmaster: HeadmasterSeed = {
      _id: random.objectIdAt(headmasterCreatedAt),
      ...person,
      schoolId,
      appointedAt,
      createdAt: headmasterCreatedAt,
      updatedAt: random.dateBetween(headmasterCreatedAt.getTime(), BASE_TIME_MS),
    };
    headmasters.push(headmaster);

    schools.push({
      _id: schoolId,
      name: `${namePrefixes[index]} ${random.pick(WORDS.schoolNameSuffixes[type])}`,
      code,
      type,
      address: {
        street: `${random.int(1, 240)} ${random.pick(WORDS.streetNames)} ${random.pick(WORDS.streetKinds)}`,
        city: city.name,
        region: city.region,
        postalCode: postalCode(random, city),
      },
      phone: demoPhone(random),
      email: `office.${code.toLowerCase()}@${DEMO_EMAIL_DOMAIN}`,
      createdAt: schoolCreatedAt,
      updatedAt: random.dateBetween(schoolCreatedAt.getTime(), BASE_TIME_MS),
    });
  }

  const staffWeights = schools.map((school) => STAFF_SIZE_BY_TYPE[school.type] * (0.6 + 0.8 * random.float()));
  const teacherCounts = allocateTeacherCounts(random, staffWeights, DEMO_TEACHER_COUNT);

  schools.forEach((school, schoolIndex) => {
    for (let n = 0; n < teacherCounts[schoolIndex]; n++) {
      const person = drawPerson(random, usedEmails);
      const subjectCount = random.weighted(SUBJECTS_PER_TEACHER_WEIGHTS);
      const hiredAt = random.dateBetween(BASE_TIME_MS - 30 * YEAR_MS, recordsToMs);
      const createdAt = random.dateBetween(Math.max(school.createdAt.getTime(), hiredAt.getTime()), BASE_TIME_MS);
      teachers.push({
        _id: random.objectIdAt(createdAt),
        ...person,
        schoolId: school._id,
        subjects: random.shuffled(TEACHER_SUBJECTS).slice(0, subjectCount),
        status: random.weighted(TEACHER_STATUS_WEIGHTS),
        hiredAt,
        createdAt,
        updatedAt: random.dateBetween(createdAt.getTime(), BASE_TIME_MS),
      });
    }
  });

  // Drawn after everything else, so that the schools, headmasters and teachers stay as they were.
  const subjects = schools.flatMap((school) => schoolSubjects(random, school, recordsToMs));

  return { schools, headmasters, teachers, subjects };
}

/**
 * What a school teaches: the whole curriculum its teachers are drawn from, so every teacher's subjects are
 * its subjects, and for some secondary and combined schools an elective or two.
 */
function schoolSubjects(random: DemoRandom, school: SchoolSeed, recordsToMs: number): SubjectSeed[] {
  const electiveCount = school.type === 'secondary' || school.type === 'combined' ? random.int(0, 2) : 0;
  const codes = [...TEACHER_SUBJECTS, ...random.shuffled(ELECTIVE_SUBJECTS).slice(0, electiveCount)];
  return codes.map((code) => {
    const createdAt = random.dateBetween(school.createdAt.getTime(), recordsToMs);
    return {
      _id: random.objectIdAt(createdAt),
      name: SUBJECT_NAMES[code],
      code,
      schoolId: school._id,
      createdAt,
      updatedAt: random.dateBetween(createdAt.getTime(), BASE_TIME_MS),
    };
  });
}

async function insertInChunks<T extends mongo.Document>(
  collection: mongo.Collection<T>,
  documents: readonly mongo.OptionalUnlessRequiredId<T>[],
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < documents.length; start += INSERT_CHUNK_SIZE) {
    const result = await collection.insertMany(documents.slice(start, start + INSERT_CHUNK_SIZE), {
      ordered: true,
    });
    inserted += result.insertedCount;
  }
  return inserted;
}

/**
 * Inserts the demo data set unless the `schools` collection already holds a document, so an
 * existing (or half-used) database is never touched; except that demo schools seeded before
 * subjects existed get their demo subjects, so their teachers' subjects are subjects of theirs.
 */
export async function seedDemoData(
  db: DemoDataTarget,
  log: (message: string) => void = () => {},
): Promise<SeedDemoDataResult> {
  const schoolsCollection = db.collection<SchoolSeed>('schools');
  const subjectsCollection = db.collection<SubjectSeed>('subjects');
  const existingSchool = await schoolsCollection.findOne({}, { projection: { _id: 1 } });
  const data = generateDemoData();
  if (existingSchool) {
    const none = { schools: 0, headmasters: 0, teachers: 0, subjects: 0 };
    const demoSchool = await schoolsCollection.findOne({ _id: data.schools[0]._id }, { projection: { _id: 1 } });
    if (!demoSchool || (await subjectsCollection.findOne({}, { projection: { _id: 1 } }))) {
      log('Demo data: the schools collection already has documents, skipping seed');
      return { seeded: false, counts: none };
    }
    const subjects = await insertInChunks(subjectsCollection, data.subjects);
    log(`Demo data: the demo schools had no subjects, added ${subjects}`);
    return { seeded: false, counts: { ...none, subjects } };
  }

  const counts: DemoDataCounts = {
    schools: await insertInChunks(schoolsCollection, data.schools),
    headmasters: await insertInChunks(db.collection<HeadmasterSeed>('headmasters'), data.headmasters),
    teachers: await insertInChunks(db.collection<TeacherSeed>('teachers'), data.teachers),
    subjects: await insertInChunks(subjectsCollection, data.subjects),
  };
  log(
    `Demo data seeded (seed ${DEFAULT_DEMO_SEED}): ${counts.schools} schools, ` +
      `${counts.headmasters} headmasters, ${counts.teachers} teachers, ${counts.subjects} subjects`,
  );
  return { seeded: true, counts };
}
