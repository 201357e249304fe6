// The HTTP edge alone (routes, CORS, named errors → responses, health, the edge's settings): what
// the health λ needs, without the event contract that the full ingest stage (index.ts) brings.
export * from './errors.js';
export * from './http-cors.js';
export * from './http-errors.js';
export * from './http-health.js';
export * from './http-request.js';
export * from './http-response.js';
export * from './http-routes.js';
export * from './settings.js';
