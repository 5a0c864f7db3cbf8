import type { Teacher, TeacherChange } from './teacher';

/** The pub/sub trigger on which the writes of one school's teachers are published. */
export function teacherChangedTrigger(schoolId: string): string {
  return `teacherChanged.${schoolId}`;
}

type DateField = 'hiredAt' | 'createdAt' | 'updatedAt';

/** A TeacherChange as published; through Redis (JSON) its dates arrive as ISO strings. */
export interface TeacherChangedEvent {
  kind: TeacherChange['kind'];
  teacher: Omit<Teacher, DateField> & Record<DateField, Date | string>;
}

export function toTeacherChange(event: TeacherChangedEvent): TeacherChange {
  const { teacher } = event;
  return {
    kind: event.kind,
    teacher: {
      ...teacher,
      hiredAt: new Date(teacher.hiredAt),
      createdAt: new Date(teacher.createdAt),
      updatedAt: new Date(teacher.updatedAt),
    },
  };
}
