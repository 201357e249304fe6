// The crash ledger end to end, small: the dev stack as a child process is SIGKILLed at every crash
// point (mid-request, right after the last 200, journal replay on restart, mid-flush, mid-Glue-run,
// between the cadence gate's claim and StartJobRun, mid-compaction before and after the generation
// switch, SQS redelivery, between a run and its reports, mid-reports, during the clean stop), restarted, and
// settled; every acknowledged event_id is curated exactly once. Kills only its own children, by pid.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCrash } from '../../local/tools/chaos/crash.js';
import { crashPoints } from '../../local/tools/chaos/crash-points.js';

let root: string | undefined;
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('crash ledger', () => {
  it(
    'SIGKILL at every crash point loses, strands and doubles nothing that was acknowledged',
    async () => {
      root = await mkdtemp(path.join(tmpdir(), 'eventlake-crash-'));
      const report = await runCrash({ eventsPerPoint: 100, batchSize: 25, dataDir: path.join(root, 'data') });
      expect(report.points.map((p) => p.name)).toEqual(crashPoints.map((p) => p.name));
      expect(report.points.length).toBeGreaterThanOrEqual(8);
      expect(report.acknowledged).toBeGreaterThan(0);
      expect({ lost: report.lost, stranded: report.stranded, doubled: report.doubled }).toEqual({
        lost: [],
        stranded: [],
        doubled: [],
      });
      expect(report.curated).toBe(report.acknowledged);
      expect(report.finalExitCode).toBe(0);
      // The held moments are reached, not killed at a deadline: the child waits there for the SIGKILL.
      const held = crashPoints.filter((p) => p.hold !== undefined).map((p) => p.name);
      expect(held).toHaveLength(3);
      expect(report.points.filter((p) => held.includes(p.name) && !p.hit)).toEqual([]);
      expect(report.compaction.rewrites).toBeGreaterThan(0);
    },
    15 * 60_000,
  );
});
