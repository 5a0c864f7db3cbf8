import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Word lists for invented values, in invented-names.json beside this module. Deliberately unlike the demo
 * data's (src/demo-data/demo-words.json), so backup records never look like demo records.
 */
const wordList = z.array(z.string().min(1)).min(1);
const InventedNames = z.object({
  firstNames: wordList,
  lastNames: wordList,
  /** Proper names for organisations (`Larchmere` Primary School). */
  placeNames: wordList,
  /** Words that name the kind of an organisation, kept at the end of an organisation's name. */
  organisationKindWords: wordList,
  streetNames: wordList,
  streetKinds: wordList,
});

const names = InventedNames.parse(JSON.parse(readFileSync(join(__dirname, 'invented-names.json'), 'utf8')));

export const INVENTED_FIRST_NAMES: readonly string[] = names.firstNames;
export const INVENTED_LAST_NAMES: readonly string[] = names.lastNames;
export const INVENTED_PLACE_NAMES: readonly string[] = names.placeNames;
export const ORGANISATION_KIND_WORDS: ReadonlySet<string> = new Set(
  names.organisationKindWords.map((word) => word.toLowerCase()),
);
export const INVENTED_STREET_NAMES: readonly string[] = names.streetNames;
export const INVENTED_STREET_KINDS: readonly string[] = names.streetKinds;

/** Letters UK inward codes use (never C, I, K, M, O, V). */
export const POSTCODE_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
