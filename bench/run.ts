// npm run bench: runs every bench/*.bench.ts (or those named on the command line), prints a
// table and writes bench/results.json.
import { readdirSync, writeFileSync } from 'node:fs';
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

const results: BenchResult[] = [];
for (const file of files) {
  const bench = (await import(pathToFileURL(path.join(benchDir, file)).href)).default as Bench;
  for (const result of await bench()) {
    print(result);
    results.push(result);
  }
}
const out = path.join(benchDir, 'results.json');
writeFileSync(out, `${JSON.stringify({ node: process.version, at: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
