// The Glue catalog inputs serverless.yml cannot compute (it cannot import TypeScript): column lists,
// the Glue job's --columns argument and the projection enums, derived from the one source of truth.
// infra/catalog.json is this object, checked in; catalog-sync.test.ts fails when they drift.
// Regenerate: npx tsx tests/template/write-catalog.ts

import { failureTypes } from '#shared/contract/event-contract.js';
import {
  type Column,
  columnsArgument,
  curatedColumns,
  curatedPartitionColumns,
  failedEventColumns,
  glueColumns,
  rawFieldColumns,
  rawPartitionColumns,
} from '#shared/contract/table-schemas.js';
import { attributeSchemas } from '../../schemas/registry.js';

/**
 * NDJSON lines carry instants as ISO-8601 strings with `Z`; the OpenX SerDe reads those reliably only
 * as strings, so the raw tables keep them as `string` (cast with from_iso8601_timestamp when needed).
 */
const asNdjsonColumns = (columns: readonly Column[]): Column[] =>
  columns.map((c) =>
    c.type === 'timestamp' ? { ...c, type: 'string', comment: `${c.comment} (ISO-8601)`.trim() } : c,
  );

const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export const glueCatalog = () => ({
  curatedColumnsArgument: columnsArgument(curatedColumns),
  events: {
    columns: glueColumns(curatedColumns),
    partitionKeys: glueColumns(curatedPartitionColumns),
    eventTypes: uniqueSorted(attributeSchemas.map((s) => s.eventType)).join(','),
  },
  // Derived columns exist only in the curated Parquet: the raw NDJSON has the fields Firehose wrote.
  rawEvents: {
    columns: glueColumns(asNdjsonColumns(rawFieldColumns(curatedColumns))),
    partitionKeys: glueColumns(rawPartitionColumns),
  },
  failedEvents: {
    columns: glueColumns(asNdjsonColumns(failedEventColumns)),
    partitionKeys: glueColumns(rawPartitionColumns),
    failureTypes: uniqueSorted(failureTypes).join(','),
  },
});
