import type { Person } from '../common/person/person';
import type { Withholdable } from '../security/withheld-fields';

export const TEACHER_STATUSES = ['active', 'on_leave', 'left'] as const;
export type TeacherStatus = (typeof TEACHER_STATUSES)[number];

export interface Teacher extends Person {
  id: string;
  schoolId: string;
  subjects: string[];
  status: TeacherStatus;
  hiredAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** What a colleague does not see of a teacher: for the teacher, their headmaster and admins. */
export const TEACHER_PRIVATE_FIELDS = ['email', 'phone', 'status', 'hiredAt', 'createdAt', 'updatedAt'] as const;

/** A teacher as one caller may see it: in full, or as a colleague sees them (id, names, school, subjects). */
export type TeacherView = Withholdable<Teacher, (typeof TEACHER_PRIVATE_FIELDS)[number]>;

export interface TeacherFilter {
  schoolId?: string;
  subject?: string;
  status?: TeacherStatus;
  /** Matches first or last names; every word must match one of them. */
  q?: string;
}

export type NewTeacher = Omit<Teacher, 'id' | 'createdAt' | 'updatedAt'>;
export type TeacherChanges = Partial<NewTeacher>;

export interface TeacherStatistics {
  teacherCount: number;
  teachersBySubject: { subject: string; count: number }[];
  teachersByStatus: { status: TeacherStatus; count: number }[];
}

export const TEACHER_SORT_FIELDS = [
  'lastName',
  'firstName',
  'email',
  'status',
  'hiredAt',
  'createdAt',
  'updatedAt',
] as const;

export const TEACHER_CHANGE_KINDS = ['created', 'updated', 'deleted'] as const;
export type TeacherChangeKind = (typeof TEACHER_CHANGE_KINDS)[number];

/** A write of a teacher, as subscribers hear of it: the teacher after the write (deleted: as it was). */
export interface TeacherChange {
  kind: TeacherChangeKind;
  teacher: TeacherView;
}
