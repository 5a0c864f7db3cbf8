/** A subject. The generator gave it a name; the fields the product needs are added here and in the schema. */
export interface Subject {
  id: string;
  name: string;
  /** The school the subject belongs to. */
  schoolId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SubjectFilter {
  schoolId?: string;
  /** Name search: every word must occur in the name. */
  q?: string;
}

export type NewSubject = Omit<Subject, 'id' | 'createdAt' | 'updatedAt'>;
export type SubjectChanges = Partial<NewSubject>;

export const SUBJECT_SORT_FIELDS = ['name', 'createdAt', 'updatedAt'] as const;
