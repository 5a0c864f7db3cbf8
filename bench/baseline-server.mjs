// The bare baseline of the benchmark: a minimal node:http server that does the same database work as
// the service for the benchmarked reads, with the MongoDB driver directly (the one Mongoose bundles),
// and answers the same JSON shape. No framework, validation beyond the id, logging, fallback or cache
// headers: what is left is the cost of the database round trips and of JSON.
//
//   GET  /api/teachers/:id                 findOne by _id
//   GET  /api/schools?limit=&offset=       find (sorted by _id, skip, limit) and countDocuments, together
//   GET  /api/headmasters/:id/dashboard    findOne headmaster, then school and the school's teachers
//                                          (subjects and status only, counted here) together
//   POST /graphql                          any body: the benchmark's one query, 20 schools (limit from the
//                                          body's `limit: N` if present) with total, headmaster and
//                                          teacherCount: schools page, then the headmasters ($in) and the
//                                          teacher counts ($group) together, as the service's DataLoaders do
//
// Settings: PORT, MONGODB_URI, MONGODB_DB_NAME (schools), MONGODB_OPERATION_TIMEOUT_MS (5000, maxTimeMS).
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { URL } from 'node:url';

const require = createRequire(import.meta.url);
const { MongoClient, ObjectId } = require('mongoose').mongo;

const port = Number(process.env.PORT ?? 3100);
const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/';
const maxTimeMS = Number(process.env.MONGODB_OPERATION_TIMEOUT_MS ?? 5000);

// The service's connection options (src/database/database-connector.ts).
const client = new MongoClient(uri, {
  serverSelectionTimeoutMS: 5000,
  socketTimeoutMS: 10_000,
  heartbeatFrequencyMS: 1000,
});
await client.connect();
const db = client.db(process.env.MONGODB_DB_NAME ?? 'schools');
const schools = db.collection('schools');
const headmasters = db.collection('headmasters');
const teachers = db.collection('teachers');

const OBJECT_ID = /^[0-9a-f]{24}$/i;

const iso = (date) => date.toISOString();

function toTeacher(record) {
  return {
    id: record._id.toHexString(),
    firstName: record.firstName,
    lastName: record.lastName,
    email: record.email,
    phone: record.phone,
    schoolId: record.schoolId.toHexString(),
    subjects: [...record.subjects],
    status: record.status,
    hiredAt: iso(record.hiredAt),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

function toSchool(record, headmasterId) {
  return {
    id: record._id.toHexString(),
    name: record.name,
    code: record.code,
    type: record.type,
    address: {
      street: record.address.street,
      city: record.address.city,
      region: record.address.region,
      postalCode: record.address.postalCode,
    },
    phone: record.phone,
    email: record.email,
    headmasterId: headmasterId?.toHexString(),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

async function schoolPage(limit, offset) {
  const [records, total] = await Promise.all([
    schools.find({}, { sort: { _id: 1 }, skip: offset, limit, maxTimeMS }).toArray(),
    schools.countDocuments({}, { maxTimeMS }),
  ]);
  return { records, total };
}

async function teacher(id) {
  const record = await teachers.findOne({ _id: new ObjectId(id) }, { maxTimeMS });
  return record ? [200, toTeacher(record)] : [404, { statusCode: 404, error: 'Not Found', message: `teacher ${id}` }];
}

async function schoolList(query) {
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 100);
  const offset = Math.max(Number(query.get('offset') ?? 0) || 0, 0);
  const { records, total } = await schoolPage(limit, offset);
  const heads = await headmastersOf(records.map((record) => record._id));
  return [
    200,
    {
      items: records.map((record) => toSchool(record, heads.get(record._id.toHexString())?._id)),
      total,
      limit,
      offset,
    },
  ];
}

/** A school's headmaster is the headmaster whose schoolId names it. */
async function headmastersOf(schoolIds) {
  const heads = await headmasters.find({ schoolId: { $in: schoolIds } }, { maxTimeMS }).toArray();
  return new Map(heads.map((head) => [head.schoolId.toHexString(), head]));
}

async function dashboard(id) {
  const headmaster = await headmasters.findOne({ _id: new ObjectId(id) }, { maxTimeMS });
  if (!headmaster) return [404, { statusCode: 404, error: 'Not Found', message: `headmaster ${id}` }];
  const schoolId = headmaster.schoolId;
  const [school, teachersOfSchool] = await Promise.all([
    schools.findOne({ _id: schoolId }, { maxTimeMS }),
    teachers
      .aggregate([{ $match: { schoolId } }, { $project: { _id: 0, subjects: 1, status: 1 } }], { maxTimeMS })
      .toArray(),
  ]);
  const bySubject = new Map();
  const byStatus = new Map();
  for (const { subjects, status } of teachersOfSchool) {
    for (const subject of subjects ?? []) bySubject.set(subject, (bySubject.get(subject) ?? 0) + 1);
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  const descending = (counts) =>
    [...counts].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0));
  return [
    200,
    {
      school: toSchool(school, headmaster._id),
      teacherCount: teachersOfSchool.length,
      teachersBySubject: descending(bySubject).map(([subject, count]) => ({ subject, count })),
      teachersByStatus: descending(byStatus).map(([status, count]) => ({ status, count })),
    },
  ];
}

async function graphqlSchools(body) {
  const limit = Number(/limit:\s*(\d+)/.exec(body)?.[1] ?? 20);
  const { records, total } = await schoolPage(limit, 0);
  const schoolIds = records.map((record) => record._id);
  const [headBySchool, counts] = await Promise.all([
    headmastersOf(schoolIds),
    teachers
      .aggregate([{ $match: { schoolId: { $in: schoolIds } } }, { $group: { _id: '$schoolId', count: { $sum: 1 } } }], {
        maxTimeMS,
      })
      .toArray(),
  ]);
  const countById = new Map(counts.map((row) => [row._id.toHexString(), row.count]));
  const items = records.map((record) => {
    const id = record._id.toHexString();
    const head = headBySchool.get(id);
    return {
      id,
      name: record.name,
      code: record.code,
      headmaster: head ? { id: head._id.toHexString(), firstName: head.firstName, lastName: head.lastName } : null,
      teacherCount: countById.get(id) ?? 0,
    };
  });
  return [200, { data: { schools: { total, items } }, extensions: { dataSource: 'database' } }];
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

async function route(req) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter(Boolean);
  if (req.method === 'GET' && parts[0] === 'api') {
    if (parts[1] === 'schools' && parts.length === 2) return schoolList(url.searchParams);
    if (parts[1] === 'teachers' && parts.length === 3 && OBJECT_ID.test(parts[2])) return teacher(parts[2]);
    if (parts[1] === 'headmasters' && parts.length === 4 && parts[3] === 'dashboard' && OBJECT_ID.test(parts[2])) {
      return dashboard(parts[2]);
    }
  }
  if (req.method === 'POST' && url.pathname === '/graphql') return graphqlSchools(await readBody(req));
  return [404, { statusCode: 404, error: 'Not Found', message: `${req.method} ${url.pathname}` }];
}

const server = createServer((req, res) => {
  route(req).then(
    ([status, body]) => {
      // Apollo ends its JSON with a newline: the same bytes as the service.
      const text = JSON.stringify(body) + (req.url.startsWith('/graphql') ? '\n' : '');
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    },
    (error) => {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: String(error?.message ?? error) }),
      );
    },
  );
});
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1', () => console.log(`baseline listening on http://127.0.0.1:${port}`));

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void client.close().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
