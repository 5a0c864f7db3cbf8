/**
 * A schema path holding keys of another model's records rather than their `_id`s: a teacher's subjects are
 * the `code`s of subjects of the teacher's own school. Declared on the path as the option `refByKey`, beside
 * Mongoose's own: `@Prop({ type: [String], refByKey: { ref: 'SubjectRecord', key: 'code', within: 'schoolId' } })`.
 * The backup data's reference check (at start and in the schema-drift check) and fixtures:refresh follow it
 * as they follow a `ref`.
 */
export interface KeyReference {
  /** The referenced model (`SubjectRecord`). */
  ref: string;
  /** The field of the referenced records that the values match (`code`). */
  key: string;
  /** A field both records have, whose values must be equal: the key is unique only within it (`schoolId`). */
  within?: string;
}

export const KEY_REFERENCE_OPTION = 'refByKey';
