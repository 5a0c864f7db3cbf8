import { byKeys, type GraphqlContext, perRequestLoader } from '../common/graphql/request-loaders';
import type { SchoolView } from './school';
import type { SchoolService } from './school.service';

/** Loads schools by id, batched per request: every relation that points at a school (Teacher.school, Headmaster.school) shares it. */
export function schoolLoader(schools: SchoolService, context: GraphqlContext) {
  return perRequestLoader<string, SchoolView | null>(context, 'schoolById', async (ids) =>
    byKeys(ids, await schools.getMany(context.principal, ids), (school) => school.id, null),
  );
}
