import { generateDemoData, headmasterOf } from '../src/demo-data/demo-data';
import { expectRestLifecycle, RestCollection } from './support/crud';
import { startTestApp, TestApp } from './support/test-app';

const demo = generateDemoData();

function newSchool(suffix: string) {
  return {
    name: `Test School ${suffix}`,
    code: `TST-${suffix}`,
    type: 'secondary',
    address: { street: '1 Test Road', city: 'Testville', region: 'Test Region', postalCode: 'T1 1TT' },
    phone: '+1 555 0100',
    email: `office.${suffix.toLowerCase()}@school.example.org`,
  };
}

describe('REST /api/schools', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  describe('GET /api/schools', () => {
    it('answers the first page of 20 with the total', async () => {
      const response = await sut.request('GET', '/api/schools');
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(demo.schools.length);
      expect(response.body.limit).toBe(20);
      expect(response.body.offset).toBe(0);
      expect(response.body.items).toHaveLength(20);
    });

    it('carries id and never _id or __v', async () => {
      const response = await sut.request('GET', '/api/schools?limit=1');
      const [school] = response.body.items;
      expect(school.id).toMatch(/^[0-9a-f]{24}$/);
      expect(school).not.toHaveProperty('_id');
      expect(school).not.toHaveProperty('__v');
      expect(Object.keys(school.address).sort()).toEqual(['city', 'postalCode', 'region', 'street']);
    });

    it('filters by city and type', async () => {
      const { address, type } = demo.schools[0];
      const city = address.city;
      const expected = demo.schools.filter((school) => school.address.city === city && school.type === type);
      const response = await sut.request('GET', `/api/schools?city=${encodeURIComponent(city)}&type=${type}&limit=100`);
      expect(response.status).toBe(200);
      expect(expected.length).toBeGreaterThan(0);
      expect(response.body.total).toBe(expected.length);
      expect(response.body.items.map((school: any) => school.code).sort()).toEqual(
        expected.map((school) => school.code).sort(),
      );
    });

    it('sorts and pages without gaps or repeats', async () => {
      const expected = [...demo.schools].sort((a, b) => b.name.localeCompare(a.name)).map((school) => school.name);
      const first = await sut.request('GET', '/api/schools?sort=-name&limit=15');
      const second = await sut.request('GET', '/api/schools?sort=-name&limit=15&offset=15');
      expect([...first.body.items, ...second.body.items].map((school: any) => school.name)).toEqual(
        expected.slice(0, 30),
      );
      expect(second.body.offset).toBe(15);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['type=university', 'type'],
      ['sort=phone', 'sort'],
      ['colour=blue', 'colour'],
      ['city[$ne]=x', 'city[$ne]'],
    ])('answers 400 naming the field for %s', async (query, field) => {
      const response = await sut.request('GET', `/api/schools?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
      expect(response.body.message).toContain(field.replace(/\[.*/, ''));
    });
  });

  describe('GET /api/schools/:id', () => {
    it('answers the school', async () => {
      const school = demo.schools[3];
      const response = await sut.request('GET', `/api/schools/${school._id.toHexString()}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: school._id.toHexString(),
        code: school.code,
        name: school.name,
        headmasterId: headmasterOf(demo, school)._id.toHexString(),
        createdAt: school.createdAt.toISOString(),
      });
    });

    it('answers 404 for an unknown id', async () => {
      const response = await sut.request('GET', '/api/schools/0123456789abcdef01234567');
      expect(response.status).toBe(404);
      expect(response.body.error).toBe('NOT_FOUND');
    });

    it('answers 400 for a malformed id', async () => {
      const response = await sut.request('GET', '/api/schools/not-an-id');
      expect(response.status).toBe(400);
      expect(response.body.field).toBe('id');
    });
  });

  it('creates, reads, lists, changes and deletes a school', async () => {
    const school = { ...newSchool('LIFE'), address: { ...newSchool('LIFE').address, city: 'Lifecycleton' } };
    const { created } = await expectRestLifecycle(new RestCollection(sut, '/api/schools'), {
      create: { ...school, email: 'Office.LIFE@School.Example.org' },
      listQuery: { city: 'Lifecycleton' },
      changes: { name: 'Renamed School', phone: '+1 555 0199' },
    });
    expect(created).toMatchObject({ ...school, email: 'office.life@school.example.org' });
    expect(created).not.toHaveProperty('headmasterId');
  });

  describe('POST /api/schools', () => {
    it('answers 409 naming code when the code is taken', async () => {
      const response = await sut.request('POST', '/api/schools', { ...newSchool('DUP'), code: demo.schools[0].code });
      expect(response.status).toBe(409);
      expect(response.body.field).toBe('code');
    });

    it.each([
      ['a missing name', { name: undefined }, 'name'],
      ['an unknown type', { type: 'university' }, 'type'],
      ['a bad e-mail', { email: 'not-an-email' }, 'email'],
      ['a bad phone', { phone: 'call me' }, 'phone'],
      ['a missing city', { address: { street: 'x', region: 'y', postalCode: 'z' } }, 'address.city'],
      ['an unknown field', { colour: 'blue' }, 'colour'],
      ['an operator instead of a value', { name: { $gt: '' } }, 'name'],
      [
        'a headmasterId (the headmaster says whom they head)',
        { headmasterId: demo.headmasters[1]._id.toHexString() },
        'headmasterId',
      ],
      ['a null headmasterId', { headmasterId: null }, 'headmasterId'],
    ])('answers 400 for %s', async (_case, change, field) => {
      const response = await sut.request('POST', '/api/schools', { ...newSchool('BAD'), ...change });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const response = await sut.request('POST', '/api/schools', '{"name": ', { 'content-type': 'application/json' });
      expect(response.status).toBe(400);
    });
  });

  describe('PATCH /api/schools/:id', () => {
    it('answers 409 when changing to a taken code', async () => {
      const created = await sut.request('POST', '/api/schools', newSchool('PATCH2'));
      const response = await sut.request('PATCH', `/api/schools/${created.body.id}`, { code: demo.schools[1].code });
      expect(response.status).toBe(409);
      expect(response.body.field).toBe('code');
    });

    it('answers 404 for an unknown id and 400 for a bad value', async () => {
      expect((await sut.request('PATCH', '/api/schools/0123456789abcdef01234567', { name: 'x' })).status).toBe(404);
      const bad = await sut.request('PATCH', `/api/schools/${demo.schools[0]._id.toHexString()}`, { type: 'mega' });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('type');
    });

    it('answers 400 naming headmasterId for a headmasterId, and changes nothing', async () => {
      const school = demo.schools[2];
      const id = school._id.toHexString();
      const before = await sut.request('GET', `/api/schools/${id}`);
      for (const headmasterId of [null, demo.headmasters[1]._id.toHexString()]) {
        const response = await sut.request('PATCH', `/api/schools/${id}`, { headmasterId });
        expect(response.status).toBe(400);
        expect(response.body.field).toBe('headmasterId');
      }
      expect(await sut.request('GET', `/api/schools/${id}`)).toMatchObject({ status: 200, body: before.body });
      expect(before.body.headmasterId).toBe(headmasterOf(demo, school)._id.toHexString());
    });
  });

  describe('DELETE /api/schools/:id', () => {
    it('answers 409 naming the teachers, headmaster and subjects that belong to the school; deletes nothing', async () => {
      const school = demo.schools[4];
      const id = school._id.toHexString();
      const teachers = demo.teachers.filter((teacher) => teacher.schoolId.equals(school._id)).length;
      const subjects = demo.subjects.filter((subject) => subject.schoolId.equals(school._id)).length;
      const response = await sut.request('DELETE', `/api/schools/${id}`);
      expect(response.status).toBe(409);
      expect(response.body.error).toBe('CONFLICT');
      expect(response.body.message).toBe(
        `school ${id} is referred to by ${teachers} teachers (schoolId), ${subjects} subjects (schoolId) and ` +
          `1 headmaster (schoolId): it cannot be deleted while they refer to it`,
      );
      expect((await sut.request('GET', `/api/schools/${id}`)).status).toBe(200);
      const staff = await sut.request('GET', `/api/teachers?schoolId=${id}&limit=1`);
      expect(staff.body.total).toBe(teachers);
    });

    it('deletes a school once the headmaster appointed to it is gone', async () => {
      const school = await sut.request('POST', '/api/schools', newSchool('HEADED'));
      const headmaster = await sut.request('POST', '/api/headmasters', {
        firstName: 'Ada',
        lastName: 'Headed',
        email: 'ada.headed@example.org',
        phone: '+1 555 0101',
        schoolId: school.body.id,
      });
      expect(headmaster.status).toBe(201);
      const refused = await sut.request('DELETE', `/api/schools/${school.body.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('1 headmaster (schoolId)');
      expect((await sut.request('DELETE', `/api/headmasters/${headmaster.body.id}`)).status).toBe(204);
      expect((await sut.request('DELETE', `/api/schools/${school.body.id}`)).status).toBe(204);
      expect((await sut.request('GET', `/api/schools/${school.body.id}`)).status).toBe(404);
    });
  });
});
