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

/**
 * Alarm metrics (what CloudWatch bills $0.10 a month each): every metric an alarm of infra/resources
 * reads (a metric math alarm reads several), plus the plugin's two per function.
 */
export function countAlarms(): number {
  let alarms = 0;
  for (const file of filesUnder('infra/resources', '.yml')) {
    alarms += readFileSync(file, 'utf8').match(/^\s+MetricName: /gm)?.length ?? 0;
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
  // The metrics the Glue job publishes to the stack's namespace, which the lake-health alarms read.
  for (const file of filesUnder('infra/resources', '.yml')) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/Namespace: \$\{self:custom\.stack\.alarms\.metricsNamespace\}/.test(line)) return;
      const name = /MetricName: (\w+)/.exec(lines[i + 1] ?? '')?.[1];
      if (name) names.add(name);
    });
  }
  return names.size + (names.has('FailedEventsByType') ? failureTypes.length - 1 : 0);
}

/** provider.logRetentionInDays in serverless.yml: how long the λ log groups keep their logs. */
export function logRetentionDays(): number {
  const match = /^\s+logRetentionInDays: (\d+)/m.exec(readFileSync(path.join(root, 'serverless.yml'), 'utf8'));
  if (!match) throw new Error('serverless.yml: no provider.logRetentionInDays');
  return Number(match[1]);
}
