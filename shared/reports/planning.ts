// start-reports core: a run marker → one Athena query per (report, date) the run touched, each
// opening with its report marker line (query-marker.ts) and sent without an OutputLocation: the
// workgroup enforces its one result location, which is also what lets Athena reuse results.
// Tokens are derived from report + date + run id, so a redelivered marker starts no second query.
import { createHash } from 'node:crypto';
import type { RunMarker } from '../lake/glue-run.js';
import type { GetObject, ObjectRef, QueryRequest, StartQuery } from '../ports.js';
import { assertReportDate, type ReportDefinition } from './catalogue.js';
import { reportQueryString } from './query-marker.js';

export class InvalidRunMarker extends Error {
  override readonly name = 'InvalidRunMarker';
}

export interface PlannedQuery {
  report: string;
  dt: string;
  request: QueryRequest;
}

export interface PlanOptions {
  /** config.athena.resultReuseMaxAgeMinutes; used only where reuse cannot return stale rows. */
  resultReuseMaxAgeMinutes: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Checks the fields planning relies on; the marker is the Glue job's output, not trusted blindly. */
export function parseRunMarker(bytes: Uint8Array): RunMarker {
  let marker: unknown;
  try {
    marker = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InvalidRunMarker('run marker is not JSON');
  }
  if (!isObject(marker) || typeof marker.job_run_id !== 'string' || marker.job_run_id === '') {
    throw new InvalidRunMarker('run marker without job_run_id');
  }
  if (!Array.isArray(marker.partitions)) throw new InvalidRunMarker('run marker without partitions');
  for (const p of marker.partitions) {
    if (!isObject(p) || typeof p.event_type !== 'string' || typeof p.dt !== 'string' || typeof p.rows !== 'number') {
      throw new InvalidRunMarker('run marker partition needs event_type, dt and rows');
    }
    assertReportDate(p.dt);
  }
  return marker as unknown as RunMarker;
}

/** sha256 hex (64 chars, inside Athena's 32–128) of report, date and run id. */
export const queryToken = (report: string, dt: string, jobRunId: string): string =>
  createHash('sha256').update(`${report}\n${dt}\n${jobRunId}`).digest('hex');

/**
 * A run that added rows to a date changed that date's data, so a reused result (up to maxAge old)
 * could be stale: reuse only for curated reports on dates where this run added nothing. failed_events
 * is written by Firehose independently of Glue runs, so its reports never reuse.
 */
const unchangedDates = (marker: RunMarker): Set<string> => {
  const changed = new Set(marker.partitions.filter((p) => p.rows > 0).map((p) => p.dt));
  return new Set(marker.partitions.map((p) => p.dt).filter((dt) => !changed.has(dt)));
};

export function planReportQueries(
  marker: RunMarker,
  reports: readonly ReportDefinition[],
  options: PlanOptions,
): PlannedQuery[] {
  const dates = [...new Set(marker.partitions.map((p) => p.dt))].sort();
  const unchanged = unchangedDates(marker);
  return dates.flatMap((dt) =>
    reports.map((report) => {
      const reuse = report.source === 'events' && unchanged.has(dt);
      return {
        report: report.name,
        dt,
        request: {
          queryString: reportQueryString(report, dt),
          clientRequestToken: queryToken(report.name, dt, marker.job_run_id),
          ...(reuse ? { resultReuseMaxAgeMinutes: options.resultReuseMaxAgeMinutes } : {}),
        },
      };
    }),
  );
}

export interface ReportPorts extends PlanOptions {
  getObject: GetObject;
  startQuery: StartQuery;
  reports: readonly ReportDefinition[];
}

/** Reads one run marker and plans its queries. */
export async function planMarkerQueries(
  markerRef: ObjectRef,
  ports: ReportPorts,
): Promise<{ jobRunId: string; queries: PlannedQuery[] }> {
  const marker = parseRunMarker(await ports.getObject(markerRef));
  return { jobRunId: marker.job_run_id, queries: planReportQueries(marker, ports.reports, ports) };
}
