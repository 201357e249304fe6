// StartJobRun arguments of the Parquet job (shared/lake/glue-run.ts) → a validated run spec. The local
// job rejects what the PySpark job would fail on, as InvalidInputException, before a run starts.

import type { ColumnType, Derivation } from '#shared/contract/table-schemas.js';
import { glueArgs } from '#shared/lake/glue-run.js';
import { type Partition, parseS3Uri, rawEventPartition } from '#shared/lake/keys.js';
import type { ObjectRef } from '#shared/ports.js';
import { parseDerivation } from './derived.js';
import { InvalidInputException } from './errors.js';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Computed by the job (shared/contract/table-schemas.ts); absent when read from the raw field `name`. */
  derivedFrom?: Derivation;
}

export interface RunSpec {
  columns: ColumnSpec[];
  sourceBucket: string;
  /** Exactly one of sourceKeys and sourceManifest. */
  sourceKeys?: string[];
  sourceManifest?: ObjectRef;
  partitions: Partition[];
  /** Prefix (ending in `/`) under which `event_type=…/dt=…/` directories live. */
  destination: ObjectRef;
  /** Prefix (ending in `/`) of `<jobRunId>.json` run markers. */
  runMarkerPrefix: ObjectRef;
}

const COLUMN_TYPES: readonly ColumnType[] = ['string', 'int', 'bigint', 'double', 'boolean', 'timestamp'];
/** Names the job adds itself (hive partition columns) or needs (dedupe key, ordering). */
const RESERVED = new Set(['event_type', 'dt']);
const REQUIRED_COLUMNS: readonly ColumnSpec[] = [
  { name: 'event_id', type: 'string' },
  { name: 'received_at', type: 'timestamp' },
];

export function parseRunArguments(args: Readonly<Record<string, string>>): RunSpec {
  for (const [name, value] of Object.entries(args)) {
    if (!name.startsWith('--') || typeof value !== 'string') invalid(`argument ${name} must be '--name': 'string'`);
  }
  const hasKeys = args[glueArgs.sourceKeys] !== undefined;
  const hasManifest = args[glueArgs.sourceManifest] !== undefined;
  if (hasKeys === hasManifest)
    invalid(`exactly one of ${glueArgs.sourceKeys} and ${glueArgs.sourceManifest} is required`);
  const sourceBucket = required(args, glueArgs.sourceBucket);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(sourceBucket))
    invalid(`${glueArgs.sourceBucket} is not a bucket name`);
  const partitions = parsePartitions(required(args, glueArgs.partitions));
  const spec: RunSpec = {
    columns: parseColumns(required(args, glueArgs.columns)),
    sourceBucket,
    partitions,
    destination: prefixUri(args, glueArgs.destination),
    runMarkerPrefix: prefixUri(args, glueArgs.runMarkerPrefix),
  };
  if (hasKeys) {
    spec.sourceKeys = parseSourceKeys(required(args, glueArgs.sourceKeys), glueArgs.sourceKeys);
    checkKeysCovered(spec.sourceKeys, partitions);
  } else {
    spec.sourceManifest = parseUri(required(args, glueArgs.sourceManifest), glueArgs.sourceManifest);
  }
  return spec;
}

/**
 * `name:type[=derivation],…` → columns. The dedupe key and its ordering column must be read from
 * the raw event with their types; a derivation may only refer to columns read from the raw event.
 */
export function parseColumns(value: string): ColumnSpec[] {
  const parts = value.split(',').map((part) => {
    const [head = '', ...derivation] = part.trim().split('=');
    const [name = '', type = '', ...rest] = head.split(':');
    if (rest.length > 0 || derivation.length > 1 || !/^[a-z_][a-z0-9_]*$/.test(name))
      invalid(`${glueArgs.columns}: bad column '${part}'`);
    if (!COLUMN_TYPES.includes(type as ColumnType)) invalid(`${glueArgs.columns}: unknown type '${type}' of ${name}`);
    if (RESERVED.has(name)) invalid(`${glueArgs.columns}: ${name} is a partition column, not a data column`);
    return { name, type: type as ColumnType, derivation: derivation[0] };
  });
  if (new Set(parts.map((c) => c.name)).size !== parts.length) invalid(`${glueArgs.columns}: duplicate column`);
  const raw = new Map(parts.filter((c) => c.derivation === undefined).map((c) => [c.name, c.type]));
  for (const need of REQUIRED_COLUMNS) {
    if (raw.get(need.name) !== need.type) invalid(`${glueArgs.columns} must contain ${need.name}:${need.type}`);
  }
  return parts.map(({ name, type, derivation }) =>
    derivation === undefined
      ? { name, type }
      : { name, type, derivedFrom: parseDerivation(name, type, derivation, raw) },
  );
}

/** A JSON array of raw event keys (`events/type=<t>/dt=<d>/<object>`), from an argument or a manifest. */
export function parseSourceKeys(value: unknown, what: string): string[] {
  const keys = typeof value === 'string' ? parseJson(value, what) : value;
  if (!Array.isArray(keys) || keys.length === 0) invalid(`${what} must be a non-empty JSON array of keys`);
  for (const key of keys) {
    if (typeof key !== 'string' || rawEventPartition(key) === undefined) {
      invalid(`${what}: not a raw event key: ${String(key)}`);
    }
  }
  return [...new Set(keys as string[])];
}

/** Every source key must sit in a partition the run was told it touches. */
export function checkKeysCovered(keys: readonly string[], partitions: readonly Partition[]): void {
  const listed = new Set(partitions.map((p) => `${p.eventType}/${p.dt}`));
  for (const key of keys) {
    const p = rawEventPartition(key);
    if (p && !listed.has(`${p.eventType}/${p.dt}`))
      invalid(`${glueArgs.partitions} does not list the partition of ${key}`);
  }
}

function parsePartitions(value: string): Partition[] {
  const list = parseJson(value, glueArgs.partitions);
  if (!Array.isArray(list) || list.length === 0) invalid(`${glueArgs.partitions} must be a non-empty JSON array`);
  return (list as unknown[]).map((item) => {
    const { event_type: eventType, dt } = (item ?? {}) as Record<string, unknown>;
    if (typeof eventType !== 'string' || !/^[a-z0-9_]+$/.test(eventType) || typeof dt !== 'string') {
      invalid(`${glueArgs.partitions}: bad partition ${JSON.stringify(item)}`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dt)) invalid(`${glueArgs.partitions}: bad dt ${dt}`);
    return { eventType, dt };
  });
}

function prefixUri(args: Readonly<Record<string, string>>, name: string): ObjectRef {
  const ref = parseUri(required(args, name), name);
  if (!ref.key.endsWith('/')) invalid(`${name} must be an s3:// prefix ending in '/'`);
  return ref;
}

function parseUri(value: string, name: string): ObjectRef {
  try {
    return parseS3Uri(value);
  } catch {
    return invalid(`${name} is not an s3:// URI`);
  }
}

function parseJson(value: string, name: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return invalid(`${name} is not valid JSON`);
  }
}

function required(args: Readonly<Record<string, string>>, name: string): string {
  const value = args[name];
  if (value === undefined || value === '') invalid(`missing argument ${name}`);
  return value;
}

function invalid(message: string): never {
  throw new InvalidInputException(message);
}
