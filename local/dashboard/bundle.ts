// The page's script: local/dashboard/client/main.ts and the parts of ECharts it uses, bundled by
// esbuild from node_modules into one file (no CDN: the page works offline, from file:// too).
// Built once per process; every dashboard write copies the same text.
import path from 'node:path';
import { build } from 'esbuild';

let bundled: Promise<string> | undefined;

export function dashboardScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [path.join(import.meta.dirname, 'client', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    legalComments: 'eof',
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return bundled;
}
