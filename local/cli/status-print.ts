// The text of `eventlake status`.
import type { Status } from './status.js';

const ago = (seconds: number): string =>
  seconds < 120
    ? `${seconds} s ago`
    : seconds < 7_200
      ? `${Math.round(seconds / 60)} min ago`
      : `${Math.round(seconds / 3_600)} h ago`;

export function formatStatus(status: Status): string {
  if (!status.exists) return `data directory ${status.dataDir}: does not exist (run npm start or npm run dev)\n`;
  const lines = [`data directory  ${status.dataDir}`];
  const { dev } = status;
  if (dev.state === 'running')
    lines.push(`dev             running, pid ${dev.pid}, ${dev.url}, since ${dev.startedAt}`);
  else if (dev.state === 'stale')
    lines.push(`dev             not running (stale state file of pid ${dev.pid}, which is gone)`);
  else lines.push('dev             not running');
  if (status.queues !== undefined) {
    lines.push(`queues          as of ${status.queues.at} (visible / in flight / dead-lettered)`);
    for (const [name, d] of Object.entries(status.queues.depths))
      lines.push(`  ${name.padEnd(14)}${d.visible} / ${d.inFlight} / ${d.dlq}`);
  }
  const dlq = Object.entries(status.storedDlq).filter(([, n]) => n > 0);
  lines.push(
    dlq.length === 0
      ? 'stored DLQ      none'
      : `stored DLQ      ${dlq.map(([q, n]) => `${q} ${n}`).join(', ')} (eventlake replay dlq)`,
  );
  const { raw } = status;
  const oldest = raw.oldestPending === undefined ? '' : `, oldest from ${raw.oldestPending}`;
  lines.push(`raw objects     ${raw.objects}, ${raw.pending} not yet converted by Glue${oldest}`);
  const run = status.lastRun;
  lines.push(
    run === undefined
      ? 'last Glue run   none'
      : `last Glue run   ${run.id} finished ${run.finishedAt}: ${run.rowsWritten} rows into ${run.partitions} partitions`,
  );
  const { reports } = status;
  lines.push(
    reports.updatedAt === null
      ? 'reports         none published'
      : `reports         ${reports.published} published, last update ${reports.updatedAt} (${ago(reports.ageSeconds ?? 0)})`,
  );
  return `${lines.join('\n')}\n`;
}
