/**
 * A subject a school teaches. Teachers refer to their school's subjects by code (`Teacher.subjects`), so a
 * code is unique within its school and the same subject has the same code at every school.
 */
export interface Subject {
  id: string;
  name: string;
  /** Lower-case words joined by -, e.g. `physical-education`. */
  code: string;
  /** The school that teaches it. */
  schoolId: string;
  createdAt: Date;
  updatedAt: Date;
}

export const SUBJECT_CODE_PATTERN = /^[a-z][a-z0-9-]{0,49}$/;
export const SUBJECT_CODE_RULE = 'lower-case words joined by -, e.g. physical-education';

export interface SubjectFilter {
  schoolId?: string;
  /** Every word must occur in the name or the code. */
  q?: string;
}

/** A subject of a school by its code: how other records refer to subjects. */
export interface SubjectKey {
  schoolId: string;
  code: string;
}

export type NewSubject = Omit<Subject, 'id' | 'createdAt' | 'updatedAt'>;
/** A subject stays with its school: only its name and code change. */
export type SubjectChanges = Partial<Pick<NewSubject, 'name' | 'code'>>;

export const SUBJECT_SORT_FIELDS = ['name', 'code', 'createdAt', 'updatedAt'] as const;
