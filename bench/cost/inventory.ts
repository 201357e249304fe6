// What CloudWatch bills monthly, counted from the project itself: the alarms the stack declares
// (infra/resources/*.yml, plus the Errors and Throttles alarms the plugin adds per function) and the custom
// metrics the handlers emit through Powertools (one per name; FailedEventsByType once per failure type).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { failureTypes } from '#shared/contract/event-contract.js';

const root = path.resolve(import.meta.dirname, '../..');

const filesUnder = (dir: string, ext: string): string[] =>
  readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(root, dir, f));

export function countAlarms(): number {
  let alarms = 0;
  for (const file of filesUnder('infra/resources', '.yml')) {
    alarms += readFileSync(file, 'utf8').match(/Type: AWS::CloudWatch::Alarm/g)?.length ?? 0;
  }
  // infra/plugins/derived-resources.cjs adds an Errors and a Throttles alarm per function.
  let functions = 0;
  for (const file of filesUnder('infra/functions', '.yml')) {
    functions += readFileSync(file, 'utf8').match(/^\s+handler:/gm)?.length ?? 0;
  }
  return alarms + 2 * functions;
}

export function countCustomMetrics(): number {
  const names = new Set<string>();
  for (const file of [...filesUnder('functions', '.ts'), ...filesUnder('shared', '.ts')]) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('addMetric(') && !/Metric\s*=\s*\{/.test(line)) continue;
      for (const m of line.matchAll(/'([A-Z][A-Za-z]+)'/g)) names.add(m[1] as string);
    }
  }
  return names.size + (names.has('FailedEventsByType') ? failureTypes.length - 1 : 0);
}
