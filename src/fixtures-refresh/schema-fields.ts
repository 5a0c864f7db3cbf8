import type { Schema } from 'mongoose';
import { isPlainObject } from './plain-object';

/** True when the dotted path (array indexes left out) is a field of the schema, subdocuments included. */
export function schemaHasField(schema: Schema, path: string): boolean {
  const kind = schema.pathType(path);
  if (kind === 'real' || kind === 'nested') return true;
  const segments = path.split('.');
  for (let split = segments.length - 1; split > 0; split--) {
    const subdocumentSchema = subdocumentSchemaAt(schema, segments.slice(0, split).join('.'));
    if (subdocumentSchema !== undefined) return schemaHasField(subdocumentSchema, segments.slice(split).join('.'));
  }
  return false;
}

/**
 * Removes, in place, the fields the schema does not declare (the fixture loader rejects them; the
 * database may still hold them from an older schema). Returns their dotted paths.
 */
export function dropUnknownFields(schema: Schema, record: Record<string, unknown>, prefix = ''): string[] {
  if (schema.get('strict') === false) return [];
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    const path = prefix + key;
    const kind = schema.pathType(path);
    if (kind === 'nested') {
      if (isPlainObject(value)) dropped.push(...dropUnknownFields(schema, value, `${path}.`));
      continue;
    }
    if (kind !== 'real') {
      delete record[key];
      dropped.push(path);
      continue;
    }
    const subdocumentSchema = subdocumentSchemaAt(schema, path);
    if (subdocumentSchema === undefined) continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (isPlainObject(item)) {
        dropped.push(...dropUnknownFields(subdocumentSchema, item).map((field) => `${path}.${field}`));
      }
    }
  }
  return dropped;
}

function subdocumentSchemaAt(schema: Schema, path: string): Schema | undefined {
  return (schema.path(path) as { schema?: Schema } | undefined)?.schema;
}
