import type { TeacherSeed } from '../../src/demo-data/demo-data';

/**
 * The demo records as REST answers them, and the orderings and searches the service applies, for suites that
 * compute their expected answers from `generateDemoData()`.
 */

export interface TeacherJson {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  schoolId: string;
  subjects: string[];
  status: string;
  hiredAt: string;
  createdAt: string;
  updatedAt: string;
}

export function teacherJson(teacher: TeacherSeed): TeacherJson {
  return {
    id: teacher._id.toHexString(),
    firstName: teacher.firstName,
    lastName: teacher.lastName,
    email: teacher.email,
    phone: teacher.phone,
    schoolId: teacher.schoolId.toHexString(),
    subjects: [...teacher.subjects],
    status: teacher.status,
    hiredAt: teacher.hiredAt.toISOString(),
    createdAt: teacher.createdAt.toISOString(),
    updatedAt: teacher.updatedAt.toISOString(),
  };
}

/** Orders values as MongoDB does for one type: dates by time, strings by code unit. */
export function compareValues(a: string | number | Date, b: string | number | Date): number {
  const left = a instanceof Date ? a.getTime() : a;
  const right = b instanceof Date ? b.getTime() : b;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Name search as documented: every word must match (case-insensitively) a first or last name. */
export function matchesName(teacher: TeacherSeed, q: string): boolean {
  const words = q.trim().split(/\s+/).filter(Boolean);
  const names = [teacher.firstName.toLowerCase(), teacher.lastName.toLowerCase()];
  return words.every((word) => names.some((name) => name.includes(word.toLowerCase())));
}
