// Firehose S3 prefix expressions and object names (docs/contracts.md §1): !{partitionKeyFromLambda:k},
// !{timestamp:<Java DateTimeFormatter pattern>} (UTC, oldest record of the object),
// !{firehose:random-string}, !{firehose:error-output-type}; names <prefix><stream>-1-<time>-<uuid>.gz.
import { randomInt, randomUUID } from 'node:crypto';

type Part =
  | { kind: 'literal'; text: string }
  | { kind: 'partitionKey'; key: string }
  | { kind: 'timestamp'; format: (ms: number) => string }
  | { kind: 'random' }
  | { kind: 'errorType' };

export type PartitionKeys = Readonly<Record<string, string>>;

export interface RenderInput {
  keys?: PartitionKeys;
  /** Arrival time (epoch ms) of the oldest record in the object. */
  oldestArrival: number;
  errorOutputType?: string;
}

export class InvalidPrefix extends Error {
  override name = 'InvalidArgumentException';
}

const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;

export class PrefixTemplate {
  readonly #parts: Part[];
  /** The partition keys the template reads, in order: a record's partition is their values. */
  readonly partitionKeyNames: string[];

  constructor(template: string) {
    this.#parts = parse(template);
    this.partitionKeyNames = this.#parts.flatMap((p) => (p.kind === 'partitionKey' ? [p.key] : []));
  }

  /** The partition identity of a record; undefined when a key the prefix needs is missing or empty. */
  partitionOf(keys: PartitionKeys | undefined): string | undefined {
    if (this.partitionKeyNames.length === 0) return '';
    if (!keys) return undefined;
    let id = '';
    for (const name of this.partitionKeyNames) {
      const value = keys[name];
      if (value === undefined || value === '') return undefined;
      id += `${value}\u0000`;
    }
    return id;
  }

  render(input: RenderInput): string {
    let out = '';
    for (const part of this.#parts) out += renderPart(part, input);
    return out;
  }
}

function renderPart(part: Part, input: RenderInput): string {
  switch (part.kind) {
    case 'literal':
      return part.text;
    case 'partitionKey':
      return input.keys?.[part.key] ?? '';
    case 'timestamp':
      return part.format(input.oldestArrival);
    case 'random':
      return randomString();
    case 'errorType':
      return input.errorOutputType ?? '';
  }
}

function parse(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(EXPRESSION)) {
    if (match.index > last) parts.push({ kind: 'literal', text: template.slice(last, match.index) });
    parts.push(expression(match[1] ?? '', match[2] ?? ''));
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'literal', text: template.slice(last) });
  return parts;
}

function expression(namespace: string, value: string): Part {
  if (namespace === 'partitionKeyFromLambda' && value !== '') return { kind: 'partitionKey', key: value };
  if (namespace === 'timestamp') return { kind: 'timestamp', format: compileTimestamp(value) };
  if (namespace === 'firehose' && value === 'random-string') return { kind: 'random' };
  if (namespace === 'firehose' && value === 'error-output-type') return { kind: 'errorType' };
  throw new InvalidPrefix(`unsupported prefix expression !{${namespace}:${value}}`);
}

const FIELDS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  yy: (d) => String(d.getUTCFullYear() % 100).padStart(2, '0'),
  MM: (d) => pad2(d.getUTCMonth() + 1),
  dd: (d) => pad2(d.getUTCDate()),
  HH: (d) => pad2(d.getUTCHours()),
  mm: (d) => pad2(d.getUTCMinutes()),
  ss: (d) => pad2(d.getUTCSeconds()),
  SSS: (d) => String(d.getUTCMilliseconds()).padStart(3, '0'),
};

/** A DateTimeFormatter-like pattern (yyyy yy MM dd HH mm ss SSS, 'quoted text') → UTC formatter. */
export function compileTimestamp(pattern: string): (ms: number) => string {
  const pieces: ((d: Date) => string)[] = [];
  const token = /'([^']*)'|([A-Za-z])\2*|[^A-Za-z']+/g;
  for (const match of pattern.matchAll(token)) {
    const [text, quoted, letter] = match;
    if (quoted !== undefined) pieces.push(() => quoted);
    else if (letter === undefined) pieces.push(() => text);
    else {
      const field = FIELDS[text];
      if (!field) throw new InvalidPrefix(`unsupported timestamp pattern '${text}' in ${pattern}`);
      pieces.push(field);
    }
  }
  return (ms) => {
    const date = new Date(ms);
    return pieces.map((piece) => piece(date)).join('');
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** !{firehose:random-string}: 11 random alphanumeric characters. */
export function randomString(length = 11): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

const objectTime = compileTimestamp('yyyy-MM-dd-HH-mm-ss');

/** `<stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid>.gz` */
export const firehoseObjectName = (stream: string, oldestArrival: number, version = '1'): string =>
  `${stream}-${version}-${objectTime(oldestArrival)}-${randomUUID()}.gz`;
