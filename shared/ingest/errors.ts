// Why an ingest request as a whole cannot be served, in domain terms. The HTTP edge
// (shared/ingest/http-errors.ts) maps each class to a status code; nothing else knows about HTTP.

/** The body cannot be read as events: not JSON/NDJSON, not gzip, not UTF-8, empty. */
export class MalformedBody extends Error {
  override readonly name = 'MalformedBody';
}

/** More events or more decoded bytes than one request may carry. */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/** A Content-Type or Content-Encoding the edge does not read. */
export class UnsupportedMediaType extends Error {
  override readonly name = 'UnsupportedMediaType';
}

/** The calling API key belongs to no app. */
export class UnknownApiKey extends Error {
  override readonly name = 'UnknownApiKey';
  constructor() {
    super('the API key is not assigned to an app');
  }
}

/** A dependency (key lookup) failed in a way a later retry may not. */
export class DependencyUnavailable extends Error {
  override readonly name = 'DependencyUnavailable';
}

/** No such route. */
export class RouteNotFound extends Error {
  override readonly name = 'RouteNotFound';
  constructor(path: string) {
    super(`no route for ${path}`);
  }
}

/** The route exists but not for this method. */
export class MethodNotAllowed extends Error {
  override readonly name = 'MethodNotAllowed';
  constructor(
    method: string,
    readonly allowed: readonly string[],
  ) {
    super(`${method} is not allowed here; use ${allowed.join(', ')}`);
  }
}
