// The PySpark job in npm test: it compiles, its pure helpers pass their unittests, and it speaks
// the same argument contract as the TypeScript side (names, column list and derivations) — all
// without pyspark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { columnsArgument, curatedColumns, type Derivation } from '#shared/contract/table-schemas.js';
import { compactionSettings } from '#shared/lake/compaction.js';
import { glueArgs } from '#shared/lake/glue-run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const glueDir = path.join(root, 'glue');
// Bytecode goes to a temp dir, never into the repository.
const env = { ...process.env, PYTHONPYCACHEPREFIX: mkdtempSync(path.join(tmpdir(), 'eventlake-pyc-')) };

function python(args: string[]) {
  const result = spawnSync('python3', args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const pythonFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.py'))
    .map((name) => path.join(dir, name));

describe('glue/ PySpark job', () => {
  it('compiles every script', () => {
    const files = pythonFiles(glueDir);
    expect(files).toEqual(
      expect.arrayContaining(
        ['parquet_job.py', 'parquet_contract.py', 'compaction.py', 'partition_writes.py'].map((f) =>
          path.join(glueDir, f),
        ),
      ),
    );
    const result = python(['-m', 'py_compile', ...files]);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes the unittests of its pure helpers', () => {
    const result = python(['-m', 'unittest', 'discover', '-s', 'glue/tests']);
    expect(result.output).toMatch(/Ran [1-9]\d* tests?[\s\S]*OK/);
    expect(result.status).toBe(0);
  });

  it('reads the arguments start-parquet-job sends and the curated column list, derivations included', () => {
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'glue')",
      'import parquet_contract as job',
      'columns = job.parse_columns(sys.argv[1])',
      'print(json.dumps({"names": list(job.REQUIRED_ARGS + job.OPTIONAL_ARGS),',
      '  "columns": [[c.name, c.kind, c.derivation and list(c.derivation)] for c in columns],',
      '  "text": job.columns_argument(columns)}))',
    ].join('\n');
    const argument = columnsArgument(curatedColumns);
    const result = python(['-c', script, argument]);
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.output) as { names: string[]; columns: unknown[][]; text: string };
    for (const name of Object.values(glueArgs)) expect(parsed.names).toContain(name.replace(/^--/, ''));
    expect(parsed.text).toBe(argument);
    const derivation = (d: Derivation | undefined) =>
      d === undefined ? null : d.rule === 'json_value' ? [d.rule, d.source, d.path] : [d.rule, d.start, d.end];
    expect(parsed.columns).toEqual(curatedColumns.map((c) => [c.name, c.type, derivation(c.derivedFrom)]));
  });

  it('reads the --compaction argument into the settings the TypeScript rules use', () => {
    const script = [
      'import dataclasses, json, sys',
      "sys.path.insert(0, 'glue')",
      'import compaction',
      'print(json.dumps(dataclasses.asdict(compaction.parse_compaction(sys.argv[1]))))',
    ].join('\n');
    const argument = JSON.stringify({ ...config.glue.compaction, targetFileSizeMB: config.glue.targetFileSizeMB });
    const result = python(['-c', script, argument]);
    expect(result.status).toBe(0);
    const s = compactionSettings();
    expect(JSON.parse(result.output)).toEqual({
      target_file_bytes: s.targetFileBytes,
      min_file_bytes: s.minFileBytes,
      max_closed_files: s.maxClosedFiles,
      open_max_files: s.openMaxFiles,
      close_after_ms: s.closeAfterMs,
      retain_superseded_ms: s.retainSupersededMs,
      lookback_days: config.glue.compaction.lookbackDays,
    });
  });
});
