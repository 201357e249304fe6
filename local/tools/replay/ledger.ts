// Which objects `eventlake replay` has already re-submitted, and which it wrote itself, in
// <dataDir>/_replay/ledger.json. The failed objects stay where they are (they are the audit trail);
// the ledger is what makes a repeated replay skip both unless --force is given, so a replay never
// feeds on its own output and running it twice changes nothing the second time.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface LedgerEntry {
  /** When the object was last replayed (ISO-8601). */
  replayedAt: string;
  /** How many times it was replayed (more than 1 only with --force). */
  times: number;
  /** Records re-submitted from it the last time. */
  records: number;
}

export interface ReplayLedger {
  /** Ingest-bucket key → its last replay. */
  objects: Record<string, LedgerEntry>;
  /** Ingest-bucket key of an object a replay wrote under the prefixes it replayed → when. */
  outputs: Record<string, string>;
}

export const isInLedger = (ledger: ReplayLedger, key: string): boolean =>
  ledger.objects[key] !== undefined || ledger.outputs[key] !== undefined;

export const ledgerFile = (dataDir: string): string => path.join(dataDir, '_replay', 'ledger.json');

export async function readReplayLedger(dataDir: string): Promise<ReplayLedger> {
  try {
    const parsed = JSON.parse(await readFile(ledgerFile(dataDir), 'utf8')) as Partial<ReplayLedger>;
    return { objects: parsed.objects ?? {}, outputs: parsed.outputs ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { objects: {}, outputs: {} };
    throw new Error(`${ledgerFile(dataDir)} is unreadable: ${(error as Error).message}`);
  }
}

export function recordReplay(ledger: ReplayLedger, key: string, records: number, at: Date): void {
  const times = (ledger.objects[key]?.times ?? 0) + 1;
  ledger.objects[key] = { replayedAt: at.toISOString(), times, records };
}

export async function writeReplayLedger(dataDir: string, ledger: ReplayLedger): Promise<void> {
  const file = ledgerFile(dataDir);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const sorted = <T>(entries: Record<string, T>) =>
    Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
  const body = { objects: sorted(ledger.objects), outputs: sorted(ledger.outputs) };
  await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`);
  await rename(temporary, file);
}
