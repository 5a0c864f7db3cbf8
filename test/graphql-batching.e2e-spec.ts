import type { CommandStartedEvent } from 'mongodb';
import { startTestApp, TestApp } from './support/test-app';

const SCHOOLS_WITH_RELATIONS = /* GraphQL */ `
  query ($limit: Int!) {
    schools(limit: $limit) {
      total
      items {
        id
        name
        headmaster {
          id
          lastName
        }
        teacherCount
      }
    }
  }
`;

describe('GraphQL relation batching', () => {
  let sut: TestApp;
  let commands: CommandStartedEvent[];
  const record = (event: CommandStartedEvent) => {
    if (event.databaseName === sut.config.database.name) commands.push(event);
  };

  beforeAll(async () => {
    sut = await startTestApp({ env: { MONGODB_MONITOR_COMMANDS: 'true' } });
    // The demo data has 40 schools; add 10 more, each with a headmaster, to reach 50.
    for (let index = 0; index < 10; index++) {
      const school = await sut.request('POST', '/api/schools', {
        name: `Batch School ${index}`,
        code: `BATCH-${index}`,
        type: 'primary',
        address: { street: '1 Test Road', city: 'Testville', region: 'Test', postalCode: 'T1 1TT' },
        phone: '+1 555 0100',
        email: `batch${index}@school.example.org`,
      });
      // Appointed to the school, they head it: nothing to change on the school.
      const headmaster = await sut.request('POST', '/api/headmasters', {
        firstName: 'Head',
        lastName: `Batch${index}`,
        email: `head.batch${index}@example.org`,
        phone: '+1 555 0101',
        schoolId: school.body.id,
      });
      expect(headmaster.status).toBe(201);
    }
    sut.connection.getClient().on('commandStarted', record);
  });

  afterAll(async () => {
    sut.connection.getClient().off('commandStarted', record);
    await sut.close();
  });

  async function roundTripsFor(limit: number) {
    commands = [];
    const response = await sut.graphql(SCHOOLS_WITH_RELATIONS, { limit });
    expect(response.body.errors).toBeUndefined();
    return { items: response.body.data.schools.items, commands: [...commands] };
  }

  it('loads 50 schools with their headmaster and teacher count in a constant number of round trips', async () => {
    const fifty = await roundTripsFor(50);
    expect(fifty.items).toHaveLength(50);
    expect(fifty.items.every((school: any) => school.headmaster !== null)).toBe(true);
    expect(fifty.items.some((school: any) => school.teacherCount > 0)).toBe(true);

    // the schools page and its total (countDocuments is an aggregation), two batched headmaster lookups (who heads
    // the schools, derived from the headmasters' schoolId; then those headmasters) and one batched teacher-count
    // aggregation
    expect(fifty.commands.map((command) => command.commandName).sort()).toEqual([
      'aggregate',
      'aggregate',
      'find',
      'find',
      'find',
    ]);
    const headmasterLookups = fifty.commands.filter((command) => command.command.find === 'headmasters');
    expect(headmasterLookups.map((command) => Object.keys(command.command.filter as object))).toEqual([
      ['schoolId'],
      ['_id'],
    ]);
    for (const lookup of headmasterLookups) {
      const [condition] = Object.values(lookup.command.filter as Record<string, { $in: unknown[] }>);
      expect(condition.$in).toHaveLength(50);
    }
  });

  it('costs the same number of round trips for 5 schools as for 50', async () => {
    const five = await roundTripsFor(5);
    const fifty = await roundTripsFor(50);
    expect(five.items).toHaveLength(5);
    expect(fifty.commands).toHaveLength(five.commands.length);
  });

  it('loads the subject details of 100 teachers of many schools in one round trip', async () => {
    commands = [];
    const response = await sut.graphql(
      '{ teachers(limit: 100) { items { schoolId subjects subjectDetails { code schoolId } } } }',
    );
    expect(response.body.errors).toBeUndefined();
    const items = response.body.data.teachers.items as {
      schoolId: string;
      subjects: string[];
      subjectDetails: { code: string; schoolId: string }[];
    }[];
    expect(items).toHaveLength(100);
    expect(new Set(items.map((teacher) => teacher.schoolId)).size).toBeGreaterThan(1);
    for (const teacher of items) {
      expect(teacher.subjectDetails).toEqual(teacher.subjects.map((code) => ({ code, schoolId: teacher.schoolId })));
    }
    expect(commands.filter((command) => command.command.find === 'subjects')).toHaveLength(1);
  });
});
