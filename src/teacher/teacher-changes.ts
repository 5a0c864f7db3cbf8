import type { Teacher, TeacherChangeKind } from './teacher';

/** The pub/sub trigger on which the writes of one school's teachers are published. */
export function teacherChangedTrigger(schoolId: string): string {
  return `teacherChanged.${schoolId}`;
}

type DateField = 'hiredAt' | 'createdAt' | 'updatedAt';

/** A TeacherChange as published; through Redis (JSON) its dates arrive as ISO strings. */
export interface TeacherChangedEvent {
  kind: TeacherChangeKind;
  teacher: Omit<Teacher, DateField> & Record<DateField, Date | string>;
}

/** The event with its dates restored: the whole teacher, before access rules apply. */
export function toTeacherChange(event: TeacherChangedEvent): { kind: TeacherChangeKind; teacher: Teacher } {
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
