// Builders for hostile payloads: unique markers (so log lines can be searched for them), events in
// the envelope the edge accepts, deep nesting, invalid UTF-8 byte sequences and a gzip bomb built
// by streaming zlib (1 GiB of zeros is never held in memory).
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants, createGzip } from 'node:zlib';

const markers: string[] = [];

/** A string that appears only in one hostile payload; every marker handed out is remembered. */
export function marker(name: string): string {
  const value = `HOSTILE_${name.replace(/[^A-Za-z0-9]/g, '_')}_${randomBytes(6).toString('hex')}`;
  markers.push(value);
  return value;
}

export const allMarkers = (): readonly string[] => markers;

let sequence = 0;
/** A fresh event id: UUID-shaped, so the envelope pattern accepts it. */
export function eventId(): string {
  sequence += 1;
  return `4f1d2c3b-5a69-4788-9a6b-${(Date.now() % 1e6).toString(16).padStart(6, '0')}${sequence.toString(16).padStart(6, '0')}`;
}

/** A page_view the edge and the transform accept, with the marker in its attributes (a minute old). */
export function pageView(mark: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: eventId(),
    event_type: 'page_view',
    event_time: new Date(Date.now() - 60_000).toISOString(),
    attributes: { url: `https://shop.example.com/${mark}` },
    ...overrides,
  };
}

export const eventsBody = (events: readonly unknown[]): string => JSON.stringify({ events });

/** `{"a":{"a":…1…}}`, `levels` deep, as text (JSON.stringify itself could not build it). */
export const nestedObjectText = (levels: number, leaf = '1'): string =>
  `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;

export const nestedArrayText = (levels: number, leaf = '1'): string =>
  `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`;

/** JSON text with raw bytes spliced in where `@@` stands (bytes that are not valid UTF-8). */
export const withBytes = (text: string, bytes: readonly number[]): Buffer => {
  const [before, after] = text.split('@@') as [string, string];
  return Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from(bytes), Buffer.from(after, 'utf8')]);
};

/** Overlong `/` (C0 AF), a UTF-16 surrogate encoded as UTF-8 (ED A0 80), and a byte never valid in UTF-8. */
export const invalidUtf8 = { overlong: [0xc0, 0xaf], surrogate: [0xed, 0xa0, 0x80], ff: [0xff] } as const;

export const GZIP_BOMB_INFLATED_BYTES = 1024 ** 3;
const bombs = new Map<string, Promise<Buffer>>();

/**
 * One gzip stream: a JSON prefix holding the marker, then 1 GiB of zeros, streamed 1 MiB at a time
 * through zlib. Run-length strategy at level 9 gives ~1 MB (the deflate ratio limit, ~1:1030) in under a second.
 */
export function gzipBomb(mark: string): Promise<Buffer> {
  const built = bombs.get(mark) ?? buildGzipBomb(mark);
  bombs.set(mark, built);
  return built;
}

function buildGzipBomb(mark: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const zeros = Buffer.alloc(1024 * 1024);
    const gzip = createGzip({ level: 9, strategy: constants.Z_RLE, chunkSize: 64 * 1024 });
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    function* stream() {
      yield Buffer.from(`{"events":[{"marker":"${mark}","pad":"`);
      for (let i = 0; i < GZIP_BOMB_INFLATED_BYTES / zeros.length; i++) yield zeros;
    }
    Readable.from(stream()).pipe(gzip);
  });
}
