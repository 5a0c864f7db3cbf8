import { generateDemoData } from '../demo-data/demo-data';
import { findUnsafeValues, isReservedPhoneNumber } from '../fallback/fixtures/fixture-safety';
import { INVENTED_FIRST_NAMES, INVENTED_LAST_NAMES } from './invented-names';
import type { CollectionSettings } from './sanitize-config';
import { sanitizeRecords, type SanitizeEntry, type SanitizeOptions } from './sanitizer';

const demo = generateDemoData();

/** Entries for records copied from the demo data, numbered from 1 in the given order. */
function entriesOf(records: readonly object[]): SanitizeEntry[] {
  return records.map((record, index) => {
    const { _id, ...rest } = copy(record) as Record<string, unknown>;
    return {
      originalId: (record as { _id: { toHexString(): string } })._id.toHexString(),
      n: index + 1,
      record: { ...rest, _id },
    };
  });
}

/** A deep copy of arrays and plain objects that keeps ObjectIds and dates (structuredClone would not). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)]));
  }
  return value;
}

const teacherOptions: SanitizeOptions = { seed: 'sanitizer test', collection: 'teachers', entity: 'teacher' };

describe(sanitizeRecords.name, () => {
  it('replaces names, e-mails and phones by field name, and keeps everything else', () => {
    const entries = entriesOf(demo.teachers.slice(0, 20));
    const report = sanitizeRecords(entries, teacherOptions);

    entries.forEach(({ record }, index) => {
      const original = demo.teachers[index];
      expect(INVENTED_FIRST_NAMES).toContain(record.firstName);
      expect(INVENTED_LAST_NAMES).toContain(record.lastName);
      expect(record.email).toMatch(/^[a-z0-9.-]+@example\.org$/);
      expect(record.email).toContain(`${String(record.firstName).toLowerCase()}.`);
      expect(isReservedPhoneNumber(record.phone as string)).toBe(true);
      expect(record.phone).toMatch(/^\+1 555 01\d\d$/);
      expect(record.subjects).toEqual(original.subjects);
      expect(record.status).toBe(original.status);
      expect(record.hiredAt).toEqual(original.hiredAt);
    });
    expect([...report]).toEqual([
      ['firstName', { strategy: 'first-name', rewritten: 20 }],
      ['lastName', { strategy: 'last-name', rewritten: 20 }],
      ['phone', { strategy: 'phone', rewritten: 20 }],
      ['email', { strategy: 'email', rewritten: 20 }],
    ]);
  });

  it('leaves no real e-mail or phone number in the whole demo data', () => {
    for (const [collection, records] of Object.entries(demo)) {
      const entries = entriesOf(records);
      sanitizeRecords(entries, { seed: 's', collection, entity: collection });
      // Ids are not the sanitizer's business: assignBackupIds replaces them.
      const unsafe = findUnsafeValues(entries.map(({ record }) => record)).filter(
        ({ reason }) => !reason.includes('not a backup id'),
      );
      expect(unsafe).toEqual([]);
    }
  });

  it('is deterministic: the same seed and original record give the same values, wherever the record is', () => {
    const all = entriesOf(demo.teachers.slice(0, 10));
    const alone = entriesOf(demo.teachers.slice(7, 8));
    sanitizeRecords(all, teacherOptions);
    sanitizeRecords(alone, teacherOptions);
    expect(alone[0].record).toEqual(all[7].record);

    const otherSeed = entriesOf(demo.teachers.slice(0, 10));
    sanitizeRecords(otherSeed, { ...teacherOptions, seed: 'another seed' });
    expect(otherSeed.map(({ record }) => record.email)).not.toEqual(all.map(({ record }) => record.email));
  });

  it('keeps e-mail addresses unique when invented names collide', () => {
    const settings: CollectionSettings = {
      fields: { firstName: { strategy: 'keep' }, lastName: { strategy: 'keep' } },
    };
    const entries = entriesOf(
      demo.teachers.slice(0, 3).map((teacher) => ({ ...teacher, firstName: 'Ada', lastName: 'Lovelace' })),
    );
    sanitizeRecords(entries, { ...teacherOptions, settings });
    expect(entries.map(({ record }) => record.email)).toEqual([
      'ada.lovelace@example.org',
      'ada.lovelace.2@example.org',
      'ada.lovelace.3@example.org',
    ]);
  });

  it('follows the configured rules: templates, organisation names, streets, postcodes, keep', () => {
    const settings: CollectionSettings = {
      fields: {
        name: { strategy: 'organisation-name' },
        code: { strategy: 'sequence', template: 'BKP-{n:3}' },
        email: { strategy: 'email', template: 'office.{code}' },
        'address.street': { strategy: 'street' },
        'address.postalCode': { strategy: 'postal-code' },
        phone: { strategy: 'keep' },
      },
    };
    const schools = demo.schools.slice(0, 12);
    const entries = entriesOf(schools);
    sanitizeRecords(entries, { seed: 's', collection: 'schools', entity: 'school', settings });

    entries.forEach(({ record }, index) => {
      const original = schools[index];
      const n = String(index + 1).padStart(3, '0');
      expect(record.code).toBe(`BKP-${n}`);
      expect(record.email).toBe(`office.bkp-${n}@example.org`);
      expect(record.phone).toBe(original.phone);
      const kind = original.name.split(' ').slice(-1)[0];
      expect(record.name).toMatch(new RegExp(` ${kind}$`));
      expect(record.name).not.toBe(original.name);
      const address = record.address as Record<string, string>;
      expect(address.street).toMatch(/^\d{1,2} [A-Z][A-Za-z' ]+ (Row|Lane|Close|Road|Walk|Yard|Court|Mews|Terrace)$/);
      expect(address.city).toBe(original.address.city);
      const [outward, inward] = original.address.postalCode.split(' ');
      expect(address.postalCode).toMatch(new RegExp(`^${outward} \\d[A-Z]{2}$`));
      expect(address.postalCode).not.toBe(`${outward} ${inward}`);
    });
  });

  it('keeps the kind of an organisation in its invented name', () => {
    const entries = entriesOf([
      { ...demo.schools[0], name: "St Anne's Infant and Junior School" },
      { ...demo.schools[1], name: 'Riverside' },
    ]);
    sanitizeRecords(entries, {
      seed: 's',
      collection: 'schools',
      entity: 'school',
      settings: { fields: { name: { strategy: 'organisation-name' } } },
    });
    expect(entries[0].record.name).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)? Infant and Junior School$/);
    expect(entries[0].record.name).not.toContain('Anne');
    expect(entries[1].record.name).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)?$/);
  });

  it('rewrites fields inside arrays of subdocuments by their path without indexes', () => {
    const entries = entriesOf([
      {
        ...demo.headmasters[0],
        contacts: [{ email: 'a@demo.school.test', fullName: 'Real Person' }, { email: 'b@demo.school.test' }],
        notes: ['kept'],
      },
    ]);
    const report = sanitizeRecords(entries, {
      seed: 's',
      collection: 'headmasters',
      entity: 'headmaster',
      settings: { fields: { 'contacts.fullName': { strategy: 'full-name' } } },
    });
    const contacts = entries[0].record.contacts as Record<string, string>[];
    expect(contacts[0].fullName).toMatch(/^[A-Z][a-z]+ [A-Z][A-Za-z-]+$/);
    expect(contacts.map((contact) => contact.email.endsWith('@example.org'))).toEqual([true, true]);
    expect(new Set(contacts.map((contact) => contact.email)).size).toBe(2);
    expect(entries[0].record.notes).toEqual(['kept']);
    expect(report.get('contacts.email')).toEqual({ strategy: 'email', rewritten: 2 });
  });

  it('names records without names after their entity in e-mail addresses', () => {
    const entries = entriesOf([{ _id: demo.schools[0]._id, email: 'x@demo.school.test', code: 'A' }]);
    sanitizeRecords(entries, { seed: 's', collection: 'subjects', entity: 'subject' });
    expect(entries[0].record.email).toBe('subject.1@example.org');
  });
});
