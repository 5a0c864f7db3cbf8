import type { Person } from '../common/person/person';
import type { CacheHintKind } from '../edge/cache-hint';
import type { School } from '../school/school';
import type { TeacherStatistics } from '../teacher/teacher';

export interface Headmaster extends Person {
  id: string;
  schoolId: string;
  appointedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface HeadmasterFilter {
  schoolId?: string;
}

export type NewHeadmaster = Omit<Headmaster, 'id' | 'createdAt' | 'updatedAt'>;
export type HeadmasterChanges = Partial<NewHeadmaster>;

/** Dashboards change with every teacher written: edges keep them for a short while only (EDGE_TTL_DASHBOARD). */
export const DASHBOARD: CacheHintKind = { kind: 'dashboard', ttlSeconds: 30 };

/** What a headmaster sees first: their school and its teaching staff at a glance. */
export interface HeadmasterDashboard extends TeacherStatistics {
  school: School;
}

export const HEADMASTER_SORT_FIELDS = [
  'lastName',
  'firstName',
  'email',
  'appointedAt',
  'createdAt',
  'updatedAt',
] as const;
