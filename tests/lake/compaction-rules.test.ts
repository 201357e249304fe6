// The compaction rules on the case file the PySpark job's unittests read too
// (glue/tests/compaction_cases.json), so both engines decide alike.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CompactionSettings,
  closesAt,
  compactionSettings,
  generationOf,
  generationPrefix,
  isClosed,
  planPartition,
  rewriteFileCount,
} from '#shared/lake/compaction.js';

interface Cases {
  settings: CompactionSettings;
  nowMs: number;
  closesAt: { dt: string; closesAtMs: number; closed: boolean }[];
  rewriteFileCount: { totalBytes: number; closed: boolean; files: number }[];
  planPartition: { why: string; dt: string; existingBytes: number[]; addedBytes: number; plan: unknown }[];
  generationPrefix: { eventType: string; dt: string; generation: number; prefix: string }[];
}

const file = path.resolve(import.meta.dirname, '../../glue/tests/compaction_cases.json');
const cases = JSON.parse(readFileSync(file, 'utf8')) as Cases;
const { settings, nowMs } = cases;

describe('compaction rules (shared case file)', () => {
  it('uses the pipeline config for its settings', () => {
    expect(compactionSettings()).toEqual(settings);
  });

  it.each(cases.closesAt)('closes $dt at $closesAtMs', ({ dt, closesAtMs, closed }) => {
    expect(closesAt(dt, settings)).toBe(closesAtMs);
    expect(isClosed(dt, nowMs, settings)).toBe(closed);
  });

  it('refuses a dt that is not yyyy-MM-dd', () => {
    expect(() => closesAt('2026-1-05', settings)).toThrow(/yyyy-MM-dd/);
  });

  it.each(cases.rewriteFileCount)('rewrites $totalBytes bytes (closed $closed) into $files files', (c) => {
    expect(rewriteFileCount(c.totalBytes, c.closed, settings)).toBe(c.files);
  });

  it.each(cases.planPartition)('$why', (c) => {
    expect(
      planPartition({ dt: c.dt, existingBytes: c.existingBytes, addedBytes: c.addedBytes }, nowMs, settings),
    ).toEqual(c.plan);
  });

  it.each(cases.generationPrefix)('generation $generation of $eventType/$dt is $prefix', (c) => {
    const partition = { eventType: c.eventType, dt: c.dt };
    expect(generationPrefix(partition, c.generation)).toBe(c.prefix);
    expect(generationOf(partition, c.prefix)).toBe(c.generation);
  });

  it('never leaves a closed partition with more than maxClosedFiles or a small file among several', () => {
    for (let mib = 1; mib < 2_000; mib += 7) {
      const total = mib * 1024 * 1024;
      const files = rewriteFileCount(total, true, settings);
      expect(files).toBeLessThanOrEqual(settings.maxClosedFiles);
      if (files > 1) expect(total / files).toBeGreaterThanOrEqual(settings.minFileBytes);
    }
  });
});
