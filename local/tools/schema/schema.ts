// `eventlake schema check` and `eventlake schema release`: the runner over the repository's files.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CheckResult, checkSchemaChanges } from './check.js';
import { curatedReports } from './report-columns.js';
import { currentSnapshot, RELEASED_FILE, readReleased, snapshotText } from './snapshot.js';

export interface SchemaIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The repository against its last release; undefined released → everything is new (nothing breaks). */
export function checkRepository(root: string): CheckResult {
  const current = currentSnapshot(root);
  const released = readReleased(root) ?? { columns: {}, schemas: {} };
  return checkSchemaChanges(current, released, curatedReports(path.join(root, 'reports')));
}

/** Prints the findings; exit code 0 when nothing breaks readers, 1 otherwise. */
export function runSchemaCheck(root: string, io: SchemaIo): number {
  const result = checkRepository(root);
  for (const note of result.notes) io.stdout(`  ok    ${note.message}\n`);
  for (const problem of result.problems) io.stderr(`  FAIL  [${problem.kind}] ${problem.message}\n`);
  if (result.ok) {
    io.stdout(`schema check: no breaking change against ${RELEASED_FILE}\n`);
    return 0;
  }
  io.stderr(
    `schema check: ${result.problems.length} breaking change(s) against ${RELEASED_FILE}. ` +
      'Add a new schema version (schemas/<type>/v<n+1>.json) instead of editing a released one, keep column ' +
      'types, and remove a column only once no report reads it (docs/deploy.md, "Schema changes").\n',
  );
  return 1;
}

/** Checks, then records the current schemas and columns as released (refuses when the check fails). */
export function runSchemaRelease(root: string, io: SchemaIo): number {
  if (runSchemaCheck(root, io) !== 0) return 1;
  const file = path.join(root, RELEASED_FILE);
  writeFileSync(file, snapshotText(currentSnapshot(root)));
  // In the repository's own format, so `npm run lint` accepts the file as written.
  spawnSync(path.join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', file], { stdio: 'ignore' });
  io.stdout(`schema release: wrote ${RELEASED_FILE}; commit it with the change it releases\n`);
  return 0;
}
