import mongoose from 'mongoose';

const { EJSON } = mongoose.mongo.BSON;

/**
 * Records as a fixture file: relaxed Extended JSON, one document per line, as `mongoexport` writes
 * it (dates without milliseconds when they have none), ending with a newline.
 */
export function toFixtureText(records: readonly object[]): string {
  return records
    .map((record) =>
      EJSON.stringify(record, { relaxed: true }).replace(
        /\{"\$date":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000Z"\}/g,
        '{"$date":"$1Z"}',
      ),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export interface FixtureChanges {
  before: number;
  after: number;
  /** Records by `_id`: only in the new text, only in the old one, in both but different. */
  added: number;
  removed: number;
  changed: number;
  identical: boolean;
}

/** What a new fixture text changes compared with the file's current text (absent: a new file). */
export function compareFixtureTexts(previous: string | undefined, next: string): FixtureChanges {
  const before = linesById(previous ?? '');
  const after = linesById(next);
  let added = 0;
  let changed = 0;
  for (const [id, line] of after) {
    if (!before.has(id)) added++;
    else if (before.get(id) !== line) changed++;
  }
  const removed = [...before.keys()].filter((id) => !after.has(id)).length;
  return { before: before.size, after: after.size, added, removed, changed, identical: previous === next };
}

function linesById(text: string): Map<string, string> {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return new Map(
    lines.map((line, index) => {
      try {
        return [JSON.stringify((JSON.parse(line) as { _id?: unknown })._id ?? `line ${index + 1}`), line];
      } catch {
        return [`line ${index + 1}`, line];
      }
    }),
  );
}
