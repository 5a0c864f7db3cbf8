import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';

/** Deeper than any body of this API (a GraphQL filter or a school's address nest three levels). */
export const MAX_JSON_DEPTH = 32;

/** How deeply `value` nests objects and arrays, counted without recursion (so a hostile body cannot overflow the stack). */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > stopAbove) return deepest;
    for (const child of Object.values(current)) pending.push([child, level]);
  }
  return deepest;
}

/**
 * JSON bodies are parsed by Fastify's own parser (which refuses `__proto__` and `constructor.prototype`), then
 * refused with 400 when they nest deeper than `maxDepth`: validation walks bodies recursively, and a body nested
 * thousands of levels deep would exhaust its stack.
 */
export function limitJsonDepth(app: NestFastifyApplication, bodyLimit: number, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    void parse(request, body.toString('utf8'), (error, value) => {
      if (error) return done(error, undefined);
      if (jsonDepth(value, maxDepth) > maxDepth) {
        const tooDeep = Object.assign(new Error(`the JSON body nests more than ${maxDepth} levels deep`), {
          statusCode: 400,
        });
        return done(tooDeep, undefined);
      }
      done(null, value);
    });
  });
}
