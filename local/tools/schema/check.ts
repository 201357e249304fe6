// The schema-change check: the repository against the last release (schemas/released.json) and the
// report SQL. Breaking for readers, so refused: a curated column's type changed, a column a report
// reads removed, a required field added to a released version, a released version edited in place
// (a property changed or removed, a keyword changed) or deleted. Allowed: a new optional attribute
// in a released version, a new version, a new event type, a new column.
import { isDeepStrictEqual } from 'node:util';
import { type ReportColumns, readersOf } from './report-columns.js';
import type { JsonSchema, SchemaSnapshot } from './snapshot.js';

export type ProblemKind =
  | 'column_type_changed'
  | 'report_column_removed'
  | 'required_added'
  | 'version_edited'
  | 'version_removed';

export interface Finding {
  kind: ProblemKind | 'note';
  message: string;
}

export interface CheckResult {
  ok: boolean;
  problems: Finding[];
  notes: Finding[];
}

/** Keywords that document and never constrain: editing them in place is fine. */
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples']);

export function checkSchemaChanges(
  current: SchemaSnapshot,
  released: SchemaSnapshot,
  reports: readonly ReportColumns[],
): CheckResult {
  const findings = [...columnFindings(current, released, reports), ...schemaFindings(current, released)];
  const problems = findings.filter((f) => f.kind !== 'note');
  return { ok: problems.length === 0, problems, notes: findings.filter((f) => f.kind === 'note') };
}

function columnFindings(current: SchemaSnapshot, released: SchemaSnapshot, reports: readonly ReportColumns[]) {
  const findings: Finding[] = [];
  for (const [name, type] of Object.entries(released.columns)) {
    const now = current.columns[name];
    if (now === undefined) {
      const readers = readersOf(reports, name);
      findings.push(
        readers.length > 0
          ? {
              kind: 'report_column_removed',
              message: `curated column ${name} removed, but read by ${readers.join(', ')}`,
            }
          : { kind: 'note', message: `curated column ${name} removed (no report reads it)` },
      );
    } else if (now !== type) {
      findings.push({
        kind: 'column_type_changed',
        message: `curated column ${name} changed type ${type} → ${now}: Parquet files already written keep ${type}`,
      });
    }
  }
  for (const name of Object.keys(current.columns)) {
    if (!(name in released.columns)) findings.push({ kind: 'note', message: `new curated column ${name}` });
  }
  return findings;
}

function schemaFindings(current: SchemaSnapshot, released: SchemaSnapshot): Finding[] {
  const findings: Finding[] = [];
  for (const [key, before] of Object.entries(released.schemas)) {
    const after = current.schemas[key];
    if (after === undefined) {
      findings.push({ kind: 'version_removed', message: `${key} was released and is gone: events of it exist` });
    } else {
      findings.push(...versionFindings(key, before, after));
    }
  }
  for (const key of Object.keys(current.schemas)) {
    if (key in released.schemas) continue;
    const type = key.split('/')[0] ?? key;
    const known = Object.keys(released.schemas).some((k) => k.startsWith(`${type}/`));
    const what =
      key === 'envelope' ? 'new envelope schema' : known ? `new version ${key}` : `new event type ${type} (${key})`;
    findings.push({ kind: 'note', message: what });
  }
  return findings;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** One released version against its current file. */
function versionFindings(key: string, before: JsonSchema, after: JsonSchema): Finding[] {
  const findings: Finding[] = [];
  const edited = (what: string) =>
    findings.push({ kind: 'version_edited', message: `${key} edited in place (${what}): add a new version instead` });
  const requiredBefore = new Set(stringList(before.required));
  for (const field of stringList(after.required)) {
    if (!requiredBefore.has(field)) {
      findings.push({
        kind: 'required_added',
        message: `${key} now requires ${field}: events valid under the released ${key} would fail; add a new version`,
      });
    }
  }
  const propsBefore = record(before.properties);
  const propsAfter = record(after.properties);
  for (const [name, schema] of Object.entries(propsBefore)) {
    if (!(name in propsAfter)) edited(`property ${name} removed`);
    else if (!isDeepStrictEqual(withoutAnnotations(schema), withoutAnnotations(propsAfter[name]))) {
      edited(`property ${name} changed`);
    }
  }
  const requiredAfter = new Set(stringList(after.required));
  for (const name of Object.keys(propsAfter)) {
    if (!(name in propsBefore) && !requiredAfter.has(name)) {
      findings.push({ kind: 'note', message: `${key}: new optional attribute ${name}` });
    }
  }
  const keywords = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const keyword of keywords) {
    if (keyword === 'properties' || keyword === 'required' || ANNOTATIONS.has(keyword)) continue;
    if (!isDeepStrictEqual(before[keyword], after[keyword])) edited(`${keyword} changed`);
  }
  return findings;
}

/** Keywords whose value maps names to subschemas: their keys are names, never annotations. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** A subschema without its annotation keywords, at every level (a property named `title` stays). */
function withoutAnnotations(value: unknown, isNameMap = false): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutAnnotations(item));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => isNameMap || !ANNOTATIONS.has(key))
      .map(([key, v]) => [key, withoutAnnotations(v, !isNameMap && NAME_MAPS.has(key))]),
  );
}
