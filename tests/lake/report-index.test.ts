import { describe, expect, it } from 'vitest';
import {
  emptyReportIndex,
  InvalidReportIndex,
  isOlderThanPublished,
  type Publication,
  parseReportIndex,
  publishedDate,
  withPublication,
} from '#shared/reports/index-file.js';
import { quickSightManifest } from '#shared/reports/quicksight-manifest.js';

const publication = (dt: string, resultTime: string, queryExecutionId = 'q'): Publication => ({
  report: 'daily_events',
  dt,
  queryExecutionId,
  resultTime,
  resultKey: `athena-results/${queryExecutionId}.csv`,
});

describe('report index', () => {
  it('orders reports by name and dates by dt, whatever the publishing order', () => {
    let index = emptyReportIndex();
    index = withPublication(index, publication('2025-11-22', '2025-11-22T10:00:00.000Z'), 't1');
    index = withPublication(index, { ...publication('2025-11-20', '2025-11-22T10:01:00.000Z'), report: 'a' }, 't2');
    index = withPublication(index, publication('2025-11-21', '2025-11-22T10:02:00.000Z'), 't3');
    expect(index.updatedAt).toBe('t3');
    expect(index.reports.map((r) => [r.name, r.updatedAt, r.dates.map((d) => d.dt)])).toEqual([
      ['a', 't2', ['2025-11-20']],
      ['daily_events', 't3', ['2025-11-21', '2025-11-22']],
    ]);
  });

  it('calls a result older only when it was created before the published one for the same date', () => {
    const index = withPublication(emptyReportIndex(), publication('2025-11-22', '2025-11-22T10:00:00.000Z'), 't');
    expect(isOlderThanPublished(index, publication('2025-11-22', '2025-11-22T09:59:59.999Z'))).toBe(true);
    expect(isOlderThanPublished(index, publication('2025-11-22', '2025-11-22T10:00:00.000Z'))).toBe(false);
    expect(isOlderThanPublished(index, publication('2025-11-21', '2025-11-22T09:00:00.000Z'))).toBe(false);
    expect(isOlderThanPublished(emptyReportIndex(), publication('2025-11-22', '2025-11-22T09:00:00.000Z'))).toBe(false);
  });

  it('records the result key and finds the entry of a report and date', () => {
    const index = withPublication(emptyReportIndex(), publication('2025-11-22', '2025-11-22T10:00:00.000Z', 'q1'), 't');
    expect(publishedDate(index, 'daily_events', '2025-11-22')).toEqual({
      dt: '2025-11-22',
      key: 'reports/daily_events/dt=2025-11-22/daily_events.csv',
      queryExecutionId: 'q1',
      resultTime: '2025-11-22T10:00:00.000Z',
      resultKey: 'athena-results/q1.csv',
      publishedAt: 't',
    });
    expect(publishedDate(index, 'daily_events', '2025-11-21')).toBeUndefined();
    expect(publishedDate(index, 'other', '2025-11-22')).toBeUndefined();
  });

  it('round-trips through JSON and refuses something else', () => {
    const index = withPublication(emptyReportIndex(), publication('2025-11-22', '2025-11-22T10:00:00.000Z'), 't');
    expect(parseReportIndex(new TextEncoder().encode(JSON.stringify(index)))).toEqual(index);
    expect(() => parseReportIndex(new TextEncoder().encode('{"reports":{}}'))).toThrow(InvalidReportIndex);
    expect(() => parseReportIndex(new TextEncoder().encode('nope'))).toThrow(InvalidReportIndex);
  });
});

describe('quickSightManifest', () => {
  it('is exactly the docs/contracts.md §6 manifest over reports/<report>/dt=', () => {
    expect(JSON.stringify(quickSightManifest('bucket', 'daily_events'))).toBe(
      '{"fileLocations":[{"URIPrefixes":["s3://bucket/reports/daily_events/dt="]}],' +
        '"globalUploadSettings":{"format":"CSV","delimiter":",","textqualifier":"\\"","containsHeader":"true"}}',
    );
  });
});
