// What makes the local pipeline keep its promise across crashes and disk faults: the data directory
// is checked before anything starts (a message naming it when it cannot be written), each Firehose
// stream gets its write-ahead journal (<dataDir>/_firehose/<stream>/) unless local.durableAcks is
// off, and health() names the first fault of any stream.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StreamHealth } from '../firehose/firehose.js';
import { Journal } from '../firehose/journal.js';
import { describeFault, type JournalFiles } from '../firehose/journal-files.js';
import type { JournalRecord } from '../firehose/journal-frames.js';

export class DataDirUnusable extends Error {
  override name = 'DataDirUnusable';
}

/** Creates the data directory if needed and proves it takes a durable write; throws naming it if not. */
export async function checkDataDir(dataDir: string): Promise<void> {
  const probe = path.join(dataDir, `.probe-${randomUUID()}`);
  try {
    await mkdir(dataDir, { recursive: true });
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile('probe');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rm(probe, { force: true });
  } catch (error) {
    await rm(probe, { force: true }).catch(() => {});
    throw new DataDirUnusable(`data directory ${dataDir} is not usable: ${describeFault(error)}`);
  }
}

export const journalDir = (dataDir: string, stream: string): string => path.join(dataDir, '_firehose', stream);

export interface OpenedJournals {
  journals: { direct: Journal; devices: Journal };
  replay: { direct: JournalRecord[]; devices: JournalRecord[] };
}

export async function openJournals(
  dataDir: string,
  streams: { direct: string; devices: string },
  files?: JournalFiles,
): Promise<OpenedJournals> {
  const options = (stream: string) => ({ dir: journalDir(dataDir, stream), ...(files ? { files } : {}) });
  const direct = await Journal.open(options(streams.direct));
  const devices = await Journal.open(options(streams.devices));
  return {
    journals: { direct: direct.journal, devices: devices.journal },
    replay: { direct: direct.replay, devices: devices.replay },
  };
}

/** The pipeline's health: ok, or the first fault found, named. */
export function combinedHealth(parts: readonly (() => StreamHealth)[]): StreamHealth {
  for (const part of parts) {
    const health = part();
    if (!health.ok) return health;
  }
  return { ok: true };
}
