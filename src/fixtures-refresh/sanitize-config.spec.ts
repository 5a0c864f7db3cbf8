import * as path from 'node:path';
import { thrownBy } from '../common/testing/thrown-by';
import { defaultRuleFor, InvalidSettingsError, parseRefreshSettings, readRefreshSettings } from './sanitize-config';

const PROJECT_SETTINGS = path.resolve(__dirname, '..', '..', 'fixtures.config.json');

function errorOf(json: unknown): string {
  return thrownBy(() => parseRefreshSettings(json, 'settings.json'), InvalidSettingsError).message;
}

describe(parseRefreshSettings.name, () => {
  it('reads the project settings', () => {
    const settings = readRefreshSettings(PROJECT_SETTINGS);
    expect(settings.perCollection).toBeGreaterThan(0);
    expect(settings.collections.schools.fields.code).toEqual({ strategy: 'sequence', template: 'BKP-{n:3}' });
    expect(settings.collections.teachers.fields.email).toEqual({ strategy: 'email' });
  });

  it('fills in defaults', () => {
    expect(parseRefreshSettings({}, 'settings.json')).toEqual({
      seed: 'backup-fixtures',
      perCollection: 5,
      perParent: 8,
      collections: {},
    });
  });

  it("reads a collection's own perParent: a number, or all", () => {
    const json = { collections: { subjects: { perParent: 'all' }, rooms: { perParent: 3, fields: {} } } };
    expect(parseRefreshSettings(json, 'settings.json').collections).toEqual({
      subjects: { perParent: 'all', fields: {} },
      rooms: { perParent: 3, fields: {} },
    });
  });

  it.each([
    [[], 'settings.json: the settings must be a JSON object'],
    [
      { collections: { subjects: { perParent: 'most' } } },
      'settings.json: collections.subjects.perParent must be a whole number of at least 1, or "all"',
    ],
    [
      { collections: { subjects: { size: 1 } } },
      'settings.json: collections.subjects.size is not a collection setting (idPrefix, perParent, fields)',
    ],
    [{ seeds: 'x' }, 'settings.json: seeds is not a setting (seed, perCollection, perParent, root, collections)'],
    [{ perParent: 0 }, 'settings.json: perParent must be a whole number of at least 1'],
    [
      { collections: { schools: { idPrefix: 'zz' } } },
      'settings.json: collections.schools.idPrefix must be two hex digits',
    ],
    [
      { collections: { schools: { fields: { name: 'scramble' } } } },
      'settings.json: collections.schools.fields.name has an unknown strategy "scramble" (keep, first-name, last-name, ' +
        'full-name, organisation-name, email, phone, street, postal-code, sequence)',
    ],
    [
      { collections: { schools: { fields: { code: 'sequence' } } } },
      'settings.json: collections.schools.fields.code needs a template with {n}, e.g. "BKP-{n:3}"',
    ],
    [
      { collections: { schools: { fields: { phone: { strategy: 'phone', template: '{n}' } } } } },
      'settings.json: collections.schools.fields.phone.template does not apply to strategy phone',
    ],
  ])('rejects %j with one line naming the setting', (json, message) => {
    expect(errorOf(json)).toBe(message);
  });
});

describe(defaultRuleFor.name, () => {
  it.each([
    ['email', 'email'],
    ['contact.eMail', 'email'],
    ['phone', 'phone'],
    ['contacts.mobilePhone', 'phone'],
    ['firstName', 'first-name'],
    ['lastName', 'last-name'],
    ['address.street', 'street'],
    ['address.postalCode', 'postal-code'],
    ['contact.name', 'full-name'],
    ['name', 'keep'],
    ['code', 'keep'],
    ['address.city', 'keep'],
  ])('%s → %s', (field, strategy) => {
    expect(defaultRuleFor(field).strategy).toBe(strategy);
  });
});
