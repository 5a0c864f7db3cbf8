import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

/**
 * OpenAPI descriptions of the answers access-policy.ts gives, so that /docs states the rule where each endpoint is
 * described: 401 and role-wide 403 before any lookup; a record the caller may not read is not found, like an unknown id.
 */

const UNAUTHORIZED =
  'No bearer token, or one that does not verify. Decided before any record is looked up: the same answer for an ' +
  'existing and an unknown id, also while the database is down.';

/** Why a 404 answers a record that exists: the caller may not read it, and must not learn that it exists. */
export function notFoundOrNotYours(entity: string, notYours: string): string {
  return (
    `No ${entity} with this id, or ${notYours}: the same answer, word for word, so that no answer tells whether ` +
    'a record the caller may not read exists.'
  );
}

/** An endpoint that needs a token: 401 without one, and what else access may answer. */
export function ApiAccess(answers: { forbidden?: string; notFound?: string } = {}) {
  return applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: UNAUTHORIZED }),
    ...(answers.forbidden ? [ApiForbiddenResponse({ description: answers.forbidden })] : []),
    ...(answers.notFound ? [ApiNotFoundResponse({ description: answers.notFound })] : []),
  );
}
