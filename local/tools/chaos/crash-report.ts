// The crash ledger's printout: each crash point (hit or killed at its deadline), then the account of
// every acknowledged event_id.
import type { CrashReport } from './crash.js';

export const crashIsClean = (r: CrashReport): boolean =>
  r.lost.length === 0 && r.stranded.length === 0 && r.doubled.length === 0 && r.finalExitCode === 0;

export function formatCrashReport(r: CrashReport): string {
  const sample = (ids: string[]) => (ids.length === 0 ? '' : `  e.g. ${ids.slice(0, 3).join(', ')}`);
  const lines = [
    `crash points (${r.points.length}, SIGKILL each):`,
    ...r.points.map(
      (p) =>
        `  ${p.hit ? 'hit   ' : 'missed'}  ${p.name.padEnd(40)} +${String(p.acknowledged).padStart(6)} acked  ${p.seconds.toFixed(1)} s`,
    ),
    '',
    `requests ${r.requests} (${r.cutOff} cut off by a kill), acknowledged event ids ${r.acknowledged}`,
    `  curated ${r.curated}   failed ${r.failed}   late ${r.late}`,
    `  lost ${r.lost.length}${sample(r.lost)}`,
    `  stranded ${r.stranded.length}${sample(r.stranded)}`,
    `  doubled ${r.doubled.length}${sample(r.doubled)}`,
    `compaction: ${r.compaction.rewrites} partition rewrites, ${r.compaction.supersededPending} superseded generations awaiting deletion`,
    `last stop: exit ${r.finalExitCode}${r.finalExitCode === 0 ? ' (stopped cleanly)' : ''}`,
    `data directory ${r.dataDir}; ${r.seconds.toFixed(1)} s`,
    crashIsClean(r) ? 'CLEAN' : 'NOT CLEAN',
  ];
  return `${lines.join('\n')}\n`;
}
