// The ingest stage as one module: the HTTP edge (routes, CORS, errors, health), request decoding,
// app resolution from the API key, envelope checks and the retried PutRecordBatch to Firehose.
// Handlers import this; the files behind it stay small and are tested one by one.
export * from './apps.js';
export * from './errors.js';
export * from './events.js';
export * from './http-cors.js';
export * from './http-errors.js';
export * from './http-health.js';
export * from './http-request.js';
export * from './http-response.js';
export * from './http-routes.js';
export * from './put-with-retry.js';
export * from './record-chunks.js';
export * from './report.js';
export * from './request.js';
export * from './response.js';
export * from './settings.js';
