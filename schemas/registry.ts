// The schema registry: every `schemas/<event_type>/v<version>.json`, imported statically so the
// Lambda bundle carries them. A test fails when a file on disk is missing from this list.
import addToCartV1 from './add_to_cart/v1.json' with { type: 'json' };
import appErrorV1 from './app_error/v1.json' with { type: 'json' };
import envelope from './envelope.json' with { type: 'json' };
import pageViewV1 from './page_view/v1.json' with { type: 'json' };
import purchaseV1 from './purchase/v1.json' with { type: 'json' };
import sessionStartV1 from './session_start/v1.json' with { type: 'json' };
import telemetryReadingV1 from './telemetry_reading/v1.json' with { type: 'json' };

export interface AttributeSchema {
  eventType: string;
  version: number;
  schema: object;
}

export const envelopeSchema: object = envelope;

export const attributeSchemas: readonly AttributeSchema[] = [
  { eventType: 'session_start', version: 1, schema: sessionStartV1 },
  { eventType: 'page_view', version: 1, schema: pageViewV1 },
  { eventType: 'add_to_cart', version: 1, schema: addToCartV1 },
  { eventType: 'purchase', version: 1, schema: purchaseV1 },
  { eventType: 'telemetry_reading', version: 1, schema: telemetryReadingV1 },
  { eventType: 'app_error', version: 1, schema: appErrorV1 },
];
