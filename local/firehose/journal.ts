// The local Firehose's write-ahead journal: accepted records are appended to
// <dataDir>/_firehose/<stream>/journal-<n>.log and fdatasync'd before PutRecordBatch answers, so an
// acknowledged record is on disk. Appends arriving while a sync is in flight are written and synced
// together (group commit: one fsync per round, however many requests). A record is delivered once
// its S3 object is written (or the transform dropped it); delivered sequence numbers are kept in
// checkpoint.json and a segment is deleted once every record in it is delivered. On open, every
// journalled record not delivered is handed back for replay.
import path from 'node:path';
import { DeliveredRanges, type Range } from './delivered-ranges.js';
import { type AppendFile, describeFault, type JournalFiles, nodeJournalFiles } from './journal-files.js';
import { decodeFrames, encodeFrame, type JournalEntry, type JournalRecord } from './journal-frames.js';

export interface JournalOptions {
  dir: string;
  files?: JournalFiles;
  /** A segment is sealed (and a new one started) past this size. Default 8 MiB. */
  segmentBytes?: number;
}

interface Segment {
  n: number;
  firstSeq: number;
  /** Acknowledged records of the segment not delivered yet. */
  outstanding: number;
  sealed: boolean;
}

interface Current {
  segment: Segment;
  file: AppendFile;
  bytes: number;
}

interface Waiter {
  firstSeq: number;
  frames: Buffer[];
  resolve: () => void;
  reject: (error: Error) => void;
}

export class JournalWriteFailed extends Error {
  override name = 'JournalWriteFailed';
}

const segmentName = (n: number) => `journal-${String(n).padStart(8, '0')}.log`;
const SEGMENT = /^journal-(\d+)\.log$/;

export class Journal {
  readonly dir: string;
  readonly #files: JournalFiles;
  readonly #segmentBytes: number;
  readonly #segments: Segment[] = [];
  readonly #delivered: DeliveredRanges;
  #nextSeq: number;
  #current: Current | undefined;
  #waiting: Waiter[] = [];
  #writing: Promise<void> | undefined;
  #checkpointing: Promise<void> | undefined;
  #checkpointDirty = false;
  #fault: string | undefined;
  readonly stats = { appends: 0, syncs: 0, replayed: 0, discardedBytes: 0 };

  private constructor(options: JournalOptions, delivered: DeliveredRanges, nextSeq: number) {
    this.dir = options.dir;
    this.#files = options.files ?? nodeJournalFiles;
    this.#segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
    this.#delivered = delivered;
    this.#nextSeq = nextSeq;
  }

  /** Opens the journal of one stream; `replay` holds the records journalled but not delivered, oldest first. */
  static async open(options: JournalOptions): Promise<{ journal: Journal; replay: JournalRecord[] }> {
    const files = options.files ?? nodeJournalFiles;
    await files.mkdir(options.dir);
    const names = (await files.list(options.dir)).filter((name) => SEGMENT.test(name)).sort();
    const delivered = new DeliveredRanges(await readCheckpoint(files, options.dir));
    const replay: JournalRecord[] = [];
    const old: Segment[] = [];
    let maxSeq = -1;
    let discardedBytes = 0;
    for (const name of names) {
      const decoded = decodeFrames(await files.read(path.join(options.dir, name)));
      discardedBytes += decoded.discardedBytes;
      const pending = decoded.records.filter((r) => !delivered.has(r.seq));
      for (const r of decoded.records) maxSeq = Math.max(maxSeq, r.seq);
      const n = Number(SEGMENT.exec(name)?.[1]);
      old.push({ n, firstSeq: decoded.records[0]?.seq ?? 0, outstanding: pending.length, sealed: true });
      replay.push(...pending);
    }
    // Sequence numbers never go back below one the checkpoint names, even once its segments are gone.
    const checkpointed = delivered.toJSON().at(-1)?.[1] ?? -1;
    const journal = new Journal(options, delivered, Math.max(maxSeq, checkpointed) + 1);
    journal.#segments.push(...old);
    journal.stats.replayed = replay.length;
    journal.stats.discardedBytes = discardedBytes;
    await journal.#removeDeliveredSegments();
    return { journal, replay };
  }

  /** Records not yet delivered (acknowledged ones, replayed ones). */
  get outstanding(): number {
    return this.#segments.reduce((sum, s) => sum + s.outstanding, 0);
  }

  /** Undefined while appends succeed; the cause of the last failed append otherwise. */
  get fault(): string | undefined {
    return this.#fault;
  }

  /**
   * Appends the entries and resolves with their sequence numbers once they are on stable storage;
   * rejects with JournalWriteFailed (none of them is acknowledged) when the disk refuses them.
   */
  append(entries: readonly JournalEntry[]): Promise<number[]> {
    const seqs = entries.map(() => this.#nextSeq++);
    const frames = entries.map((entry, i) => encodeFrame({ ...entry, seq: seqs[i] as number }));
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ firstSeq: seqs[0] ?? this.#nextSeq, frames, resolve, reject });
      this.#writing ??= this.#writeRounds();
    }).then(() => seqs);
  }

  /** Marks records delivered: their segment goes once all of its records are. */
  delivered(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.#delivered.add(seqs);
    for (const seq of seqs) {
      const segment = this.#segmentOf(seq);
      if (segment) segment.outstanding -= 1;
    }
    this.#checkpointDirty = true;
    this.#checkpointing ??= this.#checkpointRounds();
  }

  /** Seals the current segment, so that it can be deleted once delivered (end of a flush). */
  async seal(): Promise<void> {
    await this.#writing;
    await this.#closeCurrent();
    await this.#removeDeliveredSegments();
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#checkpointing;
    await this.#closeCurrent();
  }

  async #writeRounds(): Promise<void> {
    while (this.#waiting.length > 0) {
      const round = this.#waiting;
      this.#waiting = [];
      const frames = round.flatMap((w) => w.frames);
      try {
        const current = await this.#open((round[0] as Waiter).firstSeq);
        const bytes = Buffer.concat(frames);
        await current.file.write(bytes);
        await current.file.sync();
        current.bytes += bytes.length;
        current.segment.outstanding += frames.length;
        this.stats.appends += round.length;
        this.stats.syncs += 1;
        this.#fault = undefined;
        for (const w of round) w.resolve();
        if (current.bytes >= this.#segmentBytes) await this.#closeCurrent();
      } catch (error) {
        this.#fault = `journal ${this.dir}: ${describeFault(error)}`;
        // The segment may end in a torn frame now: nothing more is appended to it.
        await this.#closeCurrent().catch(() => {});
        const failure = new JournalWriteFailed(this.#fault);
        for (const w of round) w.reject(failure);
      }
    }
    this.#writing = undefined;
  }

  async #open(firstSeq: number): Promise<Current> {
    if (this.#current) return this.#current;
    const n = (this.#segments[this.#segments.length - 1]?.n ?? 0) + 1;
    const file = await this.#files.openAppend(path.join(this.dir, segmentName(n)));
    const segment: Segment = { n, firstSeq, outstanding: 0, sealed: false };
    this.#segments.push(segment);
    this.#current = { segment, file, bytes: 0 };
    return this.#current;
  }

  async #closeCurrent(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    current.segment.sealed = true;
    await current.file.close();
  }

  #segmentOf(seq: number): Segment | undefined {
    for (let i = this.#segments.length - 1; i >= 0; i -= 1) {
      const segment = this.#segments[i] as Segment;
      if (segment.firstSeq <= seq) return segment;
    }
    return undefined;
  }

  async #checkpointRounds(): Promise<void> {
    while (this.#checkpointDirty) {
      this.#checkpointDirty = false;
      await this.#removeDeliveredSegments();
      const bytes = Buffer.from(JSON.stringify({ delivered: this.#delivered.toJSON() }));
      // A checkpoint that cannot be written only means more replay after a crash (the Glue job dedupes).
      await this.#files.replace(path.join(this.dir, 'checkpoint.json'), bytes).catch(() => {});
    }
    this.#checkpointing = undefined;
  }

  async #removeDeliveredSegments(): Promise<void> {
    const done = this.#segments.filter((s) => s.sealed && s.outstanding <= 0);
    if (done.length === 0) return;
    for (const segment of done) this.#segments.splice(this.#segments.indexOf(segment), 1);
    this.#delivered.dropBelow(this.#segments[0]?.firstSeq ?? this.#nextSeq);
    for (const segment of done) await this.#files.remove(path.join(this.dir, segmentName(segment.n)));
  }
}

async function readCheckpoint(files: JournalFiles, dir: string): Promise<Range[]> {
  const names = await files.list(dir);
  if (!names.includes('checkpoint.json')) return [];
  const parsed = JSON.parse((await files.read(path.join(dir, 'checkpoint.json'))).toString('utf8')) as {
    delivered?: Range[];
  };
  return parsed.delivered ?? [];
}
