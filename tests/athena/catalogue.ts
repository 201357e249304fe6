// The report files as the tests see them: header lines `-- key: value`, then the query. A minimal
// reader of our own (the pipeline's parser lives in shared/) so these tests check the files themselves.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const reportsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../reports');

export interface ReportFile {
  name: string;
  header: Record<string, string>;
  query: string;
}

export function loadReports(): ReportFile[] {
  return readdirSync(reportsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const lines = readFileSync(path.join(reportsDir, file), 'utf8').split('\n');
      const header: Record<string, string> = {};
      let body = 0;
      for (const line of lines) {
        const match = /^--\s*([a-z]+):\s*(.+)$/.exec(line);
        if (!match) break;
        header[match[1] as string] = (match[2] as string).trim();
        body += 1;
      }
      return { name: file.replace(/\.sql$/, ''), header, query: lines.slice(body).join('\n').trim() };
    });
}

/** The query for one report date, as the report planner substitutes it. */
export const forDate = (query: string, dt: string): string => query.replaceAll('{{dt}}', `'${dt}'`);
