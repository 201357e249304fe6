// The page's script: local/dashboard/client/main.ts and the parts of ECharts it uses, bundled by
// esbuild from node_modules into one file (no CDN: the page works offline, from file:// too).
// Built once per process, and kept in node_modules/.cache keyed by a hash of its inputs (the client
// sources, the ECharts and esbuild versions), so `npm run dev` and `npm start` usually skip the build.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, version as esbuildVersion } from 'esbuild';

const clientDir = path.join(import.meta.dirname, 'client');
const cacheDir = path.join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'eventlake-dashboard');

function inputsHash(): string {
  const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\n`);
  const echarts = createRequire(import.meta.url).resolve('echarts/package.json');
  hash.update(`echarts ${JSON.parse(readFileSync(echarts, 'utf8')).version}\n`);
  for (const file of readdirSync(clientDir).sort()) hash.update(file).update(readFileSync(path.join(clientDir, file)));
  return hash.digest('hex').slice(0, 16);
}

async function bundle(): Promise<string> {
  const cached = path.join(cacheDir, `dashboard-${inputsHash()}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not built yet with these inputs.
  }
  const result = await build({
    entryPoints: [path.join(clientDir, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(`${cached}.${process.pid}.tmp`, text);
  renameSync(`${cached}.${process.pid}.tmp`, cached);
  return text;
}

let bundled: Promise<string> | undefined;

export function dashboardScript(): Promise<string> {
  bundled ??= bundle();
  return bundled;
}
