// The report catalogue: `reports/<name>.sql`, each a header of `-- key: value` lines and one query
// that names its date as `{{dt}}`. Athena (cloud) and DuckDB (local) run the same rendered SQL.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const chartKinds = ['bar', 'stacked-bar', 'line', 'area', 'pie', 'table'] as const;
export type ChartKind = (typeof chartKinds)[number];
export const reportSources = ['events', 'failed_events'] as const;
export type ReportSource = (typeof reportSources)[number];

export interface ReportDefinition {
  /** File name without `.sql`; also the key segment under athena-results/ and reports/. */
  name: string;
  title: string;
  description: string;
  /** Optional plain-language text for a business reader; the dashboard shows it. */
  summary?: string;
  grain: string;
  chart: ChartKind;
  x: string;
  y: string;
  series?: string;
  source: ReportSource;
  /** The query with its `{{dt}}` placeholder(s). */
  sql: string;
}

export class InvalidReportDefinition extends Error {
  override readonly name = 'InvalidReportDefinition';
}

export class InvalidReportDate extends Error {
  override readonly name = 'InvalidReportDate';
}

const REPORT_NAME = /^[a-z0-9_]+$/;
const HEADER_LINE = /^--\s*([a-z_]+)\s*:\s*(.*?)\s*$/;
const DT_PLACEHOLDER = '{{dt}}';
const requiredKeys = ['title', 'description', 'grain', 'chart', 'x', 'y', 'source'] as const;

const isOneOf = <T extends string>(values: readonly T[], value: string): value is T =>
  (values as readonly string[]).includes(value);

function readHeader(lines: readonly string[]): { header: Map<string, string>; bodyStart: number } {
  const header = new Map<string, string>();
  let index = 0;
  for (; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (!line.startsWith('--')) break;
    const match = HEADER_LINE.exec(line);
    if (match) header.set(match[1] as string, match[2] as string);
  }
  return { header, bodyStart: index };
}

/** Parses one report file; `name` is its file name without `.sql`. */
export function parseReport(name: string, text: string): ReportDefinition {
  const fail = (problem: string) => new InvalidReportDefinition(`report ${name}: ${problem}`);
  if (!REPORT_NAME.test(name)) throw fail('name must match [a-z0-9_]+');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { header, bodyStart } = readHeader(lines);
  const missing = requiredKeys.filter((key) => !header.get(key));
  if (missing.length > 0) throw fail(`header misses ${missing.join(', ')}`);
  const chart = header.get('chart') as string;
  const source = header.get('source') as string;
  if (!isOneOf(chartKinds, chart)) throw fail(`chart must be one of ${chartKinds.join(', ')}`);
  if (!isOneOf(reportSources, source)) throw fail(`source must be one of ${reportSources.join(', ')}`);
  const sql = lines.slice(bodyStart).join('\n').trim();
  if (!sql.includes(DT_PLACEHOLDER)) throw fail(`query must use ${DT_PLACEHOLDER}`);
  const series = header.get('series');
  const summary = header.get('summary');
  return {
    name,
    title: header.get('title') as string,
    description: header.get('description') as string,
    ...(summary ? { summary } : {}),
    grain: header.get('grain') as string,
    chart,
    x: header.get('x') as string,
    y: header.get('y') as string,
    ...(series ? { series } : {}),
    source,
    sql,
  };
}

/** Every `*.sql` in `dir`, sorted by name. An empty or missing catalogue is a packaging error. */
export function loadReportCatalogue(dir: string): ReportDefinition[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.sql')) : [];
  if (files.length === 0) throw new InvalidReportDefinition(`no reports/*.sql found in ${dir}`);
  return files.sort().map((file) => parseReport(file.slice(0, -4), readFileSync(path.join(dir, file), 'utf8')));
}

// The Lambda bundles are CommonJS (`functions/<name>.cjs`, `reports/` one level up); tsx and vitest
// run this file from `shared/reports/`. Rather than count levels, walk up to the folder whose
// `reports/` holds the catalogue's SQL files.
const moduleDir = (): string =>
  typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));

const holdsCatalogue = (dir: string): boolean =>
  existsSync(dir) && readdirSync(dir).some((file) => file.endsWith('.sql'));

function reportsBeside(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'reports');
    if (holdsCatalogue(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(start, '..', 'reports');
  }
}

/**
 * `reports/` next to the deployed function (LAMBDA_TASK_ROOT), or beside this code anywhere else —
 * also under `serverless invoke local`, which sets LAMBDA_TASK_ROOT to a /var/task that is not there.
 */
export const defaultReportsDir = (): string => {
  const root = process.env.LAMBDA_TASK_ROOT;
  if (root && holdsCatalogue(path.join(root, 'reports'))) return path.join(root, 'reports');
  return reportsBeside(moduleDir());
};

/** A real calendar date `yyyy-MM-dd`; anything else would be spliced into SQL, so it is refused. */
export function assertReportDate(dt: string): string {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(dt) ? Date.parse(`${dt}T00:00:00Z`) : Number.NaN;
  const valid = !Number.isNaN(time) && new Date(time).toISOString().startsWith(dt);
  if (!valid) throw new InvalidReportDate(`not a yyyy-MM-dd date: ${JSON.stringify(dt)}`);
  return dt;
}

/** The report's SQL for one date: `{{dt}}` becomes the quoted literal `'yyyy-MM-dd'`. */
export const renderReportSql = (report: ReportDefinition, dt: string): string =>
  report.sql.replaceAll(DT_PLACEHOLDER, `'${assertReportDate(dt)}'`);
