// The report query marker: a first-line SQL comment `-- eventlake:report=<name> dt=<yyyy-MM-dd>`
// naming the report and date a query computes. With the workgroup enforcing its one result location
// (`athena-results/<queryId>.csv`), publish-report reads it back from GetQueryExecution's `Query`.
// It holds no run id, so the query string of an unchanged date is identical run after run and
// Athena can reuse the earlier result.
import { assertReportDate, type ReportDefinition, renderReportSql } from './catalogue.js';

export interface ReportQueryMarker {
  report: string;
  dt: string;
}

const MARKER = /^-- eventlake:report=([a-z0-9_]+) dt=(\d{4}-\d{2}-\d{2})$/m;

export const reportQueryMarker = (report: string, dt: string): string =>
  `-- eventlake:report=${report} dt=${assertReportDate(dt)}\n`;

/** The query string start-reports sends: the marker line, then the report's SQL for the date. */
export const reportQueryString = (report: ReportDefinition, dt: string): string =>
  `${reportQueryMarker(report.name, dt)}${renderReportSql(report, dt)}`;

/** The marker of a report query (on any line, so a retry's own marker line may come first); else undefined. */
export function parseReportQueryMarker(query: string): ReportQueryMarker | undefined {
  const match = MARKER.exec(query);
  if (!match) return undefined;
  try {
    return { report: match[1] as string, dt: assertReportDate(match[2] as string) };
  } catch {
    return undefined;
  }
}
