// npm run bench: runs every bench/*.bench.ts (or those named on the command line), prints a
// table and writes bench/results.json. A run of some benches keeps the others' results already in the
// file; a bench module may also export `extra`, top-level keys it writes (cost: `cost.loads`).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bench, BenchResult } from './types.js';

const benchDir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

const passes = (figure: string, value: number, target: number): boolean =>
  figure.endsWith('_max') ? value <= target : value >= target;

function print(result: BenchResult): void {
  console.log(`\n${result.name}`);
  for (const [figure, value] of Object.entries(result.figures)) {
    const target = result.targets?.[figure];
    const verdict =
      target === undefined
        ? ''
        : `  target ${figure.endsWith('_max') ? '≤' : '≥'} ${target}: ${passes(figure, value, target) ? 'PASS' : 'FAIL'}`;
    console.log(`  ${figure.padEnd(28)} ${String(value).padStart(14)}${verdict}`);
  }
}

type Stored = BenchResult & { bench?: string };
const out = path.join(benchDir, 'results.json');
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
const ran = new Set(files.map((f) => f.replace(/\.bench\.ts$/, '')));
const results: Stored[] = ((previous.results ?? []) as Stored[]).filter((r) => r.bench && !ran.has(r.bench));
const extras: Record<string, unknown> = {};
for (const file of files) {
  const module = await import(pathToFileURL(path.join(benchDir, file)).href);
  for (const result of await (module.default as Bench)()) {
    print(result);
    results.push({ bench: file.replace(/\.bench\.ts$/, ''), ...result });
  }
  if (typeof module.extra === 'function') Object.assign(extras, await module.extra());
}
const written = { ...previous, ...extras, node: process.version, at: new Date().toISOString(), results };
writeFileSync(out, `${JSON.stringify(written, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
