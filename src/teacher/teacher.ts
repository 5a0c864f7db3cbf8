export const TEACHER_STATUSES = ['active', 'on_leave', 'left'] as const;
export type TeacherStatus = (typeof TEACHER_STATUSES)[number];

export interface Teacher {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  schoolId: string;
  subjects: string[];
  status: TeacherStatus;
  hiredAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

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
