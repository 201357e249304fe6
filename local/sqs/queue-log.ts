// A local queue's messages outlive the process: every change is appended to
// <dataDir>/_sqs/<queue>.log (one JSON line: a message put, its receive count, its removal) and
// fdatasync'd before the call returns. Opening the log rebuilds the messages a crash left, with their
// receive counts (so the redrive policy still counts earlier receives), visible at once (the process
// that had them in flight is gone), and rewrites the log with only those.
import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { QueueMessage } from './sqs-event.js';

type Line =
  | { op: 'put'; id: string; body: string; md5: string; sent: number; rc: number }
  | { op: 'rc'; id: string; rc: number }
  | { op: 'del'; id: string };

export const queueLogFile = (dataDir: string, queue: string): string => path.join(dataDir, '_sqs', `${queue}.log`);

export class QueueLog {
  readonly file: string;
  #fd: number | undefined;

  private constructor(file: string, fd: number) {
    this.file = file;
    this.#fd = fd;
  }

  /** Opens (compacting) the log; `messages` are the ones a previous process left, oldest first. */
  static open(file: string, now: number): { log: QueueLog; messages: QueueMessage[] } {
    mkdirSync(path.dirname(file), { recursive: true });
    const live = new Map<string, QueueMessage>();
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const raw of text.split('\n')) {
      const line = parse(raw);
      if (line?.op === 'put') {
        live.set(line.id, {
          messageId: line.id,
          body: line.body,
          md5OfBody: line.md5,
          sentTimestamp: line.sent,
          receiveCount: line.rc,
          visibleAt: now,
        });
      } else if (line?.op === 'rc') {
        const message = live.get(line.id);
        if (message) message.receiveCount = line.rc;
      } else if (line?.op === 'del') live.delete(line.id);
    }
    const messages = [...live.values()];
    const temporary = `${file}.tmp`;
    const fd = openSync(temporary, 'w');
    writeSync(fd, messages.map((m) => `${JSON.stringify(putLine(m))}\n`).join(''));
    fdatasyncSync(fd);
    closeSync(fd);
    renameSync(temporary, file);
    return { log: new QueueLog(file, openSync(file, 'a')), messages };
  }

  put(message: QueueMessage): void {
    this.#append(putLine(message));
  }

  received(messages: readonly QueueMessage[]): void {
    if (messages.length === 0) return;
    this.#append(...messages.map((m): Line => ({ op: 'rc', id: m.messageId, rc: m.receiveCount })));
  }

  removed(messageId: string): void {
    this.#append({ op: 'del', id: messageId });
  }

  /** Empties the log (a DLQ whose messages are now stored in _dlq/, their durable home). */
  clear(): void {
    if (this.#fd === undefined) return;
    ftruncateSync(this.#fd, 0);
    fdatasyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #append(...lines: Line[]): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    fdatasyncSync(this.#fd);
  }
}

const putLine = (m: QueueMessage): Line => ({
  op: 'put',
  id: m.messageId,
  body: m.body,
  md5: m.md5OfBody,
  sent: m.sentTimestamp,
  rc: m.receiveCount,
});

/** A torn last line (the crash hit mid-write) is skipped: its change was never acknowledged. */
function parse(raw: string): Line | undefined {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as Line;
  } catch {
    return undefined;
  }
}
