/**
 * Edits of existing files at marked places: the generator inserts above an anchor comment that the file
 * carries for it, so an edit never depends on the code around it. Inserting what is already there changes
 * nothing.
 */

export class MissingAnchorError extends Error {
  override readonly name = 'MissingAnchorError';
}

/** `text` with `lines` inserted above the line holding `anchor`, indented like it. */
export function insertAboveAnchor(text: string, anchor: string, lines: readonly string[], file: string): string {
  const all = text.split('\n');
  const at = all.findIndex((line) => line.includes(anchor));
  if (at < 0 || all.findIndex((line, index) => index > at && line.includes(anchor)) >= 0) {
    throw new MissingAnchorError(`${file} must hold exactly one line with the comment "${anchor}"`);
  }
  const indent = /^\s*/.exec(all[at])![0];
  const indented = lines.map((line) => (line.trim() === '' ? '' : indent + line));
  const present = indented.filter((line) => line.trim() !== '').every((line) => all.includes(line));
  if (present) return text;
  return [...all.slice(0, at), ...indented, ...all.slice(at)].join('\n');
}

/** Whether `text` holds the anchor, for checking every file before anything is written. */
export function hasAnchor(text: string, anchor: string): boolean {
  return text.split('\n').filter((line) => line.includes(anchor)).length === 1;
}

/**
 * A JSON text with one more member in the object at `key` of the top-level object, written on one line as
 * `"member": <value>` after the last member, so that the rest of the file keeps its layout (and its diff stays
 * one line). A member that is already there is left as it is.
 */
export function addJsonMember(text: string, key: string, member: string, value: unknown, file: string): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const target = parsed[key];
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    throw new MissingAnchorError(`${file}: "${key}" must be an object`);
  }
  if (member in target) return text;
  const close = closingBraceOfMember(text, key);
  let last = close - 1;
  while (/\s/.test(text[last])) last--;
  const empty = text[last] === '{';
  const memberIndent = `${/^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', close) + 1))![0]}  `;
  const entry = `${JSON.stringify(member)}: ${JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ')}`;
  const insertion = `${empty ? '' : ','}\n${memberIndent}${entry}`;
  const edited =
    text.slice(0, last + 1) + insertion + (empty ? `\n${memberIndent.slice(2)}` : '') + text.slice(last + 1);
  JSON.parse(edited);
  return edited;
}

/** The index of the `}` that closes the object value of a top-level member, found by scanning the JSON text. */
function closingBraceOfMember(text: string, key: string): number {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastTopLevelString = '';
  let valueDepth = -1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') {
        inString = false;
        if (depth === 1) lastTopLevelString = JSON.parse(text.slice(stringStart, index + 1)) as string;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      stringStart = index;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth === 2 && char === '{' && lastTopLevelString === key && valueDepth < 0) valueDepth = depth;
    } else if (char === '}' || char === ']') {
      if (depth === valueDepth && char === '}') return index;
      depth--;
    }
  }
  throw new MissingAnchorError(`no object "${key}" found`);
}
