// reports/index.json: which reports are published, for which dates, and when each was last
// updated. The dashboard reads it; publish-report also uses it to refuse out-of-order results.
import { publishedReportKey, reportManifestKey } from '../lake/keys.js';

export interface PublishedDate {
  dt: string;
  /** Key of the stable CSV in the reporting bucket. */
  key: string;
  queryExecutionId: string;
  /** S3 eventTime of the Athena result the CSV was copied from. */
  resultTime: string;
  /** Key of that result in the reporting bucket (absent in entries written before it was recorded). */
  resultKey?: string;
  publishedAt: string;
}

export interface PublishedReport {
  name: string;
  manifestKey: string;
  updatedAt: string;
  /** Sorted by dt. */
  dates: PublishedDate[];
}

export interface ReportIndex {
  updatedAt: string | null;
  /** Sorted by name. */
  reports: PublishedReport[];
}

export interface Publication {
  report: string;
  dt: string;
  queryExecutionId: string;
  resultTime: string;
  /** Key of the Athena result CSV in the reporting bucket. */
  resultKey: string;
}

export class InvalidReportIndex extends Error {
  override readonly name = 'InvalidReportIndex';
}

export const emptyReportIndex = (): ReportIndex => ({ updatedAt: null, reports: [] });

export function parseReportIndex(bytes: Uint8Array): ReportIndex {
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InvalidReportIndex('reports/index.json is not JSON');
  }
  const reports = typeof index === 'object' && index !== null && 'reports' in index ? index.reports : undefined;
  if (!Array.isArray(reports)) throw new InvalidReportIndex('reports/index.json has no reports array');
  return index as ReportIndex;
}

/** The index's entry for a report and date. */
export const publishedDate = (index: ReportIndex, report: string, dt: string): PublishedDate | undefined =>
  index.reports.find((r) => r.name === report)?.dates.find((d) => d.dt === dt);

/**
 * True when the index already holds a result for this report and date that S3 created later:
 * an older query's CSV (a late redelivery) must not replace a newer published one. eventTime is
 * compared, not the sequencer: sequencers only order events for the same key.
 */
export const isOlderThanPublished = (index: ReportIndex, p: Publication): boolean => {
  const current = publishedDate(index, p.report, p.dt);
  return current !== undefined && Date.parse(p.resultTime) < Date.parse(current.resultTime);
};

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

/** The index with `p` recorded as the report's CSV for its date. */
export function withPublication(index: ReportIndex, p: Publication, publishedAt: string): ReportIndex {
  const entry: PublishedDate = {
    dt: p.dt,
    key: publishedReportKey(p.report, p.dt),
    queryExecutionId: p.queryExecutionId,
    resultTime: p.resultTime,
    resultKey: p.resultKey,
    publishedAt,
  };
  const previous = index.reports.find((r) => r.name === p.report);
  const report: PublishedReport = {
    name: p.report,
    manifestKey: reportManifestKey(p.report),
    updatedAt: publishedAt,
    dates: [...(previous?.dates ?? []).filter((d) => d.dt !== p.dt), entry].sort(byKey((d) => d.dt)),
  };
  const reports = [...index.reports.filter((r) => r.name !== p.report), report].sort(byKey((r) => r.name));
  return { updatedAt: publishedAt, reports };
}
