// The event contract: envelope and per-type attribute validation, compiled once at cold start.
// Used by the transform (envelope + attributes) and by the ingest edge (envelope only).
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { attributeSchemas, envelopeSchema } from '../../schemas/registry.js';
import { config } from '../config.js';
import { isRfc3339DateTime } from './rfc3339.js';
import { everyLocationTyped } from './typed-locations.js';

export type EventTime = string | number;

export interface EventEnvelope {
  event_id: string;
  event_type: string;
  event_version?: number;
  event_time: EventTime;
  sent_at?: EventTime;
  app_id?: string;
  device_id?: string;
  user_id?: string;
  session_id?: string;
  attributes: Record<string, unknown>;
  server_received_at?: EventTime;
  request_id?: string;
  source_ip?: string;
  user_agent?: string;
}

export interface ValidationError {
  /** JSON pointer into the event, `""` for the event itself. */
  path: string;
  message: string;
}

export type FailureType =
  | 'invalid_base64'
  | 'invalid_utf8'
  | 'malformed_json'
  | 'not_an_object'
  | 'schema_violation'
  | 'unknown_event_type'
  | 'size_violation'
  | 'invalid_timestamp';

export const failureTypes: readonly FailureType[] = [
  'invalid_base64',
  'invalid_utf8',
  'malformed_json',
  'not_an_object',
  'schema_violation',
  'unknown_event_type',
  'size_violation',
  'invalid_timestamp',
];

/** An input that cannot become a valid event, with the reason in domain terms. */
export class EventRejected extends Error {
  override readonly name = 'EventRejected';
  constructor(
    readonly failureType: FailureType,
    readonly errors: ValidationError[],
  ) {
    // Rejections are data, raised per bad record on the hot path: a stack trace would only cost
    // time, and so would a message nobody reads (the transform keeps `errors`): see below.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super();
    Error.stackTraceLimit = stackTraceLimit;
  }
}

// Without a constructor argument Error sets no own `message`: this getter writes it when read.
Object.defineProperty(EventRejected.prototype, 'message', {
  get(this: EventRejected): string {
    return `${this.failureType}: ${this.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`;
  },
});

const ajv = new Ajv2020({
  allErrors: true,
  // strict includes strictNumbers: NaN and Infinity fail every number and integer type check.
  strict: true,
  strictRequired: false,
  strictTypes: false,
  unicodeRegExp: false,
});
ajv.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });

/** What the attribute check found beyond pass/fail. */
export interface AttributesChecked {
  /**
   * Every value of the event sat at a location its schemas type: no non-finite number can have
   * passed (strictNumbers), so nobody needs to look for one.
   */
  everyValueTyped: boolean;
}

const validateEnvelopeShape = ajv.compile<EventEnvelope>(envelopeSchema);
const envelopeTyped = everyLocationTyped(envelopeSchema, ['attributes']);
/** Event type → version → its compiled check (looked up per event: no key string built per lookup). */
const attributeValidators = new Map<string, Map<number, { validate: ValidateFunction; checked: AttributesChecked }>>();
for (const s of attributeSchemas) {
  const versions = attributeValidators.get(s.eventType) ?? new Map();
  const checked = { everyValueTyped: envelopeTyped && everyLocationTyped(s.schema) };
  versions.set(s.version, { validate: ajv.compile(s.schema), checked });
  attributeValidators.set(s.eventType, versions);
}

export const knownEventTypes = (): string[] => [...new Set(attributeSchemas.map((s) => s.eventType))];

const toValidationErrors = (errors: ErrorObject[] | null | undefined, prefix = ''): ValidationError[] => {
  const readable = (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
    return { path: `${prefix}${e.instancePath}${extra}`, message: e.message ?? e.keyword };
  });
  return readable.slice(0, config.events.maxErrorsPerRecord);
};

/** Envelope check shared by the ingest edge and the transform. Throws EventRejected. */
export function assertEnvelope(
  candidate: Record<string, unknown>,
): asserts candidate is EventEnvelope & Record<string, unknown> {
  if (!validateEnvelopeShape(candidate)) {
    throw new EventRejected('schema_violation', toValidationErrors(validateEnvelopeShape.errors));
  }
}

/** Attribute check against the schema of the event's type and version. Throws EventRejected. */
export function assertAttributes(event: EventEnvelope): AttributesChecked {
  const version = event.event_version ?? 1;
  const attributes = attributeValidators.get(event.event_type)?.get(version);
  if (attributes === undefined) {
    throw new EventRejected('unknown_event_type', [
      { path: '/event_type', message: `no schema for ${event.event_type} v${version}` },
    ]);
  }
  const { validate, checked } = attributes;
  if (!validate(event.attributes)) {
    throw new EventRejected('schema_violation', toValidationErrors(validate.errors, '/attributes'));
  }
  return checked;
}
