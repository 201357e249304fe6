// The hostile corpus for the transform λ, as data: Firehose record payloads (raw bytes, or `data`
// that is not base64 at all) and what each must become. The transform never throws for bad input:
// every record is answered Ok, into `events`, or into `failed` with its failure type.
import { config } from '#shared/config.js';
import type { FailureType } from '#shared/contract/event-contract.js';
import { DUPLICATE_KEY_IDS } from './corpus.js';
import { invalidUtf8, marker, nestedArrayText, nestedObjectText, pageView, withBytes } from './payloads.js';

export interface TransformCase {
  name: string;
  mark: string;
  /** Base64 `data` exactly as Firehose would deliver it. */
  data: string;
  /** `events`: a valid event (with this event_id when given). */
  outcome: { zone: 'failed'; failureType: FailureType } | { zone: 'events'; eventId?: string };
  /** Where the transform still differs from the edge (docs/hostile-input.md, "Known gaps"). */
  gap?: string;
}

const failed = (failureType: FailureType) => ({ zone: 'failed' as const, failureType });
const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');
/** A page_view as the device stream sends it (device_id, no app key), edited as text where `@@` stands. */
const event = (mark: string, overrides: Record<string, unknown> = {}) =>
  JSON.stringify(pageView(mark, { device_id: 'device-1', ...overrides }));

function build(
  name: string,
  payload: (mark: string) => Buffer | string,
  outcome: TransformCase['outcome'],
  encode: (payload: Buffer | string) => string = b64,
): TransformCase {
  const mark = marker(name);
  return { name, mark, data: encode(payload(mark)), outcome };
}

export function transformCorpus(): TransformCase[] {
  return [
    build(
      'data that is not base64',
      (m) => m,
      failed('invalid_base64'),
      (text) => `${text}!!`,
    ),
    ...(['overlong', 'surrogate', 'ff'] as const).map((kind) =>
      build(`invalid UTF-8 (${kind})`, (m) => withBytes(event(`${m}@@`), invalidUtf8[kind]), failed('invalid_utf8')),
    ),
    build('lone surrogate as a JSON escape', (m) => event(m).replace(m, `${m}\\ud800`), failed('invalid_utf8')),
    build('empty payload', () => '', failed('malformed_json')),
    build('truncated JSON', (m) => event(m).slice(0, 60), failed('malformed_json')),
    build('a JSON array', (m) => `["${m}"]`, failed('not_an_object')),
    build('a JSON string', (m) => `"${m}"`, failed('not_an_object')),
    build('100k nested arrays', (m) => nestedArrayText(100_000, `"${m}"`), failed('not_an_object')),
    build('100k nested objects', (m) => nestedObjectText(100_000, `"${m}"`), failed('schema_violation')),
    build(
      '100k nested objects in attributes',
      (m) => event(m, { attributes: '@@' }).replace('"@@"', nestedObjectText(100_000, `"${m}"`)),
      failed('schema_violation'),
    ),
    build(
      '1e400 in attributes',
      (m) => event(m, { attributes: { url: m, duration_ms: '@@' } }).replace('"@@"', '1e400'),
      failed('schema_violation'),
    ),
    build(
      '1e400 as event_time',
      (m) => event(m, { event_time: '@@' }).replace('"@@"', '1e400'),
      failed('schema_violation'),
    ),
    ...['-0', '123456789012345678901234567890'].map((literal) =>
      build(
        `${literal} in attributes`,
        (m) => event(m, { attributes: { url: m, duration_ms: '@@' } }).replace('"@@"', literal),
        { zone: 'events' },
      ),
    ),
    build(
      'record one byte over the Firehose limit',
      (m) =>
        event(m, { attributes: { url: m, title: '@@' } }).replace('@@', 't'.repeat(config.firehose.maxRecordBytes)),
      failed('size_violation'),
    ),
    build(
      'duplicated event_id key',
      (m) =>
        event(m, { event_id: DUPLICATE_KEY_IDS.last }).replace(
          '{"event_id"',
          `{"event_id":"${DUPLICATE_KEY_IDS.first}","event_id"`,
        ),
      { zone: 'events', eventId: DUPLICATE_KEY_IDS.last },
    ),
    build(
      '__proto__ in the event',
      (m) => event(m).replace('{"event_id"', `{"__proto__":{"polluted":"${m}"},"event_id"`),
      failed('schema_violation'),
    ),
    build(
      '__proto__ / constructor / prototype in attributes',
      (m) =>
        event(m).replace('"url"', `"__proto__":{"polluted":"${m}"},"constructor":{"prototype":{"polluted":1}},"url"`),
      failed('schema_violation'),
    ),
    build('event_type with a path in it', (m) => event(m, { event_type: '../../x' }), failed('schema_violation')),
  ];
}
