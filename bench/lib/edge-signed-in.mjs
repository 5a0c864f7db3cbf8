// The signed-in workload through the edge: teachers of a few schools, each reading their school, its subjects and
// its teacher list with a bearer token of their own, the tokens renewed on a short period (the field renews them about
// every minute; the run compresses that so that several renewals fall within it). The figure that matters: the share
// of answers the edge served from its cache (X-Cache: HIT), target 80%. With per-token caching only the reads repeated
// within one token's life could hit; with cache scopes every teacher of a school shares the school and its teacher
// list, and everyone shares the subjects.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { SignJWT } from 'jose';
import { httpRequest, startService, startVarnish } from './processes.mjs';

const PLANS = {
  full: { schools: 4, teachersPerSchool: 10, workers: 8, durationS: 20, renewEveryS: 5 },
  smoke: { schools: 2, teachersPerSchool: 3, workers: 2, durationS: 2, renewEveryS: 1 },
};

async function teacherToken(secret, teacher) {
  return new SignJWT({ role: 'teacher', schoolId: teacher.schoolId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(teacher.id)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(Buffer.from(secret));
}

/**
 * @param {{ db: { uri: string }; dbName: string; demo: { headmasters: { schoolId: string }[] }; env: Record<string, string>;
 *   headers: Record<string, string>; secret: string | undefined; smoke: boolean; log: (message: string) => void;
 *   track: (stoppable) => () => Promise<void> }} options
 */
export async function edgeSignedIn({ db, dbName, demo, env, headers, secret, smoke, log, track }) {
  if (!secret) {
    log('edge, signed-in workload: skipped (a --token was given, so the bench cannot sign teachers’ tokens)');
    return undefined;
  }
  const plan = smoke ? PLANS.smoke : PLANS.full;
  const service = await startService({ mongoUri: db.uri, dbName, env, headers, label: 'service (signed-in edge)' });
  const stops = [track(service)];
  const varnish = await startVarnish({ backendPorts: [service.port] });
  stops.push(track(varnish));
  try {
    const schoolIds = demo.headmasters.slice(0, plan.schools).map((headmaster) => headmaster.schoolId);
    const teachers = [];
    for (const schoolId of schoolIds) {
      const page = await httpRequest({
        port: service.port,
        path: `/api/teachers?schoolId=${schoolId}&limit=${plan.teachersPerSchool}`,
        headers,
      });
      for (const { id } of JSON.parse(page.body).items) teachers.push({ id, schoolId });
    }
    const reads = (schoolId) => [
      `/api/schools/${schoolId}`,
      `/api/subjects?schoolId=${schoolId}&limit=50`,
      `/api/teachers?schoolId=${schoolId}&limit=20`,
    ];
    /** Each teacher's current token, renewed every renewEveryS. */
    const tokens = new Map();
    const renew = async () => {
      for (const teacher of teachers) tokens.set(teacher.id, await teacherToken(secret, teacher));
    };
    await renew();
    let renewals = 0;
    const renewing = setInterval(() => {
      renewals++;
      void renew();
    }, plan.renewEveryS * 1000);

    const byPath = new Map();
    let errors = 0;
    const until = performance.now() + plan.durationS * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: plan.workers }, async () => {
        while (performance.now() < until) {
          const teacher = teachers[next++ % teachers.length];
          const paths = reads(teacher.schoolId);
          const path = paths[next % paths.length];
          const answer = await httpRequest({
            port: varnish.port,
            path,
            headers: { authorization: `Bearer ${tokens.get(teacher.id)}` },
          });
          const kind = path.split('?')[0].replace(/[0-9a-f]{24}/, ':id');
          const counts = byPath.get(kind) ?? { answers: 0, hits: 0, cache: {} };
          byPath.set(kind, counts);
          counts.answers++;
          if (answer.status !== 200) errors++;
          const cache = String(answer.headers?.['x-cache'] ?? 'none');
          counts.cache[cache] = (counts.cache[cache] ?? 0) + 1;
          if (cache === 'HIT') counts.hits++;
        }
      }),
    );
    clearInterval(renewing);
    const answers = [...byPath.values()].reduce((sum, counts) => sum + counts.answers, 0);
    const hits = [...byPath.values()].reduce((sum, counts) => sum + counts.hits, 0);
    const result = {
      ...plan,
      teachers: teachers.length,
      renewals,
      answers,
      hits,
      hitRate: answers ? Math.round((hits / answers) * 1000) / 10 : null,
      errors,
      byPath: Object.fromEntries(byPath),
    };
    log(
      `edge, signed-in workload: ${teachers.length} teachers of ${plan.schools} schools, ${answers} answers, ` +
        `hit rate ${result.hitRate}%, ${errors} errors, tokens renewed ${renewals} times`,
    );
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/** The scenario's lines of the Markdown report. */
export function edgeSignedInMarkdown(result) {
  if (!result) return '';
  const rows = Object.entries(result.byPath).map(
    ([path, counts]) =>
      `| ${path} | ${counts.answers} | ${Math.round((counts.hits / counts.answers) * 1000) / 10}% | ` +
      `${Object.entries(counts.cache)
        .map(([cache, count]) => `${cache} ${count}`)
        .join(', ')} |`,
  );
  return [
    '',
    '### Edge: signed-in teachers',
    '',
    `${result.teachers} teachers of ${result.schools} schools through Varnish, each with a token of their own renewed ` +
      `every ${result.renewEveryS} s (${result.renewals} renewals), ${result.workers} clients for ${result.durationS} s: ` +
      `**hit rate ${result.hitRate}%** (target 80%), ${result.errors} errors.`,
    '',
    '| Read | Answers | Hit rate | X-Cache |',
    '| :-- | --: | --: | :-- |',
    ...rows,
    '',
  ].join('\n');
}
