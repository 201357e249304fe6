// Local API Gateway (REST, stage `local`) on the loopback interface: routes call the same Lambda
// handlers with APIGatewayProxyEvent + context; API keys, per-key throttling, the 10 MB payload
// limit and the 29 s integration timeout answer as API Gateway does. Also serves the dashboard.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { config } from '#shared/config.js';
import { nextTurn } from '../pipeline/clock.js';
import { apiKeyChecker, LoadShedder, type ShedderStats, type Shedding, type Throttle, TokenBuckets } from './guard.js';
import { apiGatewayEvent, compileRoutePath, lambdaContext } from './http-event.js';
import { isProxyResult, readBody, sendClientError, sendError, sendJson, sendResult } from './io.js';
import { findRoute, header, invokeWithTimeout, type Matcher, notRouted } from './routes.js';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface HttpRoute {
  method: string;
  /** API Gateway resource template: `/v1/events`, `/reports/{name}`, `/{proxy+}`. */
  path: string;
  handler: ApiHandler;
  /** `private: true` in serverless.yml: an API key is required. */
  private?: boolean;
  functionName?: string;
}

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1' | '::1' | 'localhost';
  routes: readonly HttpRoute[];
  staticDir?: string;
  /** Local API keys: key value → key id. */
  apiKeys: Readonly<Record<string, string>>;
  throttle?: Throttle;
  maxBodyBytes?: number;
  integrationTimeoutMs?: number;
  /** Time allowed to receive a whole request, headers and body (408 past it). */
  requestTimeoutMs?: number;
  binaryMediaTypes?: readonly string[];
  /** Admission limits for requests with a valid API key, once their body is read; past them 503 + Retry-After. */
  shedding?: Partial<Shedding>;
}

export type ServerStats = ShedderStats;

export interface RunningServer {
  url: string;
  stats(): ServerStats;
  close(): Promise<void>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_BINARY_TYPES = ['application/octet-stream', 'application/gzip', 'application/x-gzip'];
/** Like a Lambda concurrency limit: bounds the request bodies and handler state held at once. */
const DEFAULT_SHEDDING: Shedding = {
  maxInFlight: 32,
  maxEventLoopDelayMs: 1_000,
  sampleEveryMs: 50,
  retryAfterSeconds: config.api.retryAfterSeconds,
};

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const routes: Matcher[] = options.routes.map((r) => ({
    ...r,
    method: r.method.toUpperCase(),
    match: compileRoutePath(r.path),
  }));
  const gate = {
    keyId: apiKeyChecker(options.apiKeys),
    buckets: new TokenBuckets(
      options.throttle ?? { rateLimit: config.api.throttleRateLimit, burstLimit: config.api.throttleBurstLimit },
    ),
  };
  const load = new LoadShedder({ ...DEFAULT_SHEDDING, ...options.shedding });
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node looks for requests past requestTimeout only every connectionsCheckingInterval (30 s by default).
  const connectionsCheckingInterval = Math.floor(Math.min(1_000, Math.max(10, requestTimeout / 4)));
  const responses = new WeakMap<Duplex, ServerResponse>();
  const server = createServer({ requestTimeout, connectionsCheckingInterval }, (req, res) => {
    responses.set(req.socket, res);
    handle(req, res, { options, routes, gate, load }).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
      else res.destroy();
    });
  });
  // A body cut short, a request Node cannot parse, or one still arriving at requestTimeout: JSON too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    sendClientError(socket, error, responses.get(socket)),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${shownHost}:${port}`,
    stats: () => load.stats(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        load.stop();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface Ctx {
  options: HttpServerOptions;
  routes: Matcher[];
  gate: { keyId: (key: string | undefined) => string | undefined; buckets: TokenBuckets };
  load: LoadShedder;
}

/**
 * The order of the edge: route, key (403), throttle (429), then the body, read under the request
 * deadline (408) and the size limit (413, from Content-Length or while reading); only then, and only
 * for a request carrying a valid key, the load shedder (503). A slow or oversized body, or a client
 * without a key, never holds a shedder slot, so it cannot starve keyed clients or /v1/health.
 */
async function handle(req: IncomingMessage, res: ServerResponse, ctx: Ctx): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const found = findRoute(ctx.routes, method, url.pathname);
  if (!found) return notRouted(req, res, { url, method, staticDir: ctx.options.staticDir });
  const { route, pathParameters } = found;
  let apiKey: { key: string; id: string } | undefined;
  if (route.private) {
    const key = header(req, 'x-api-key');
    const id = ctx.gate.keyId(key);
    if (!id || key === undefined) return sendError(req, res, 403, 'Forbidden');
    apiKey = { key, id };
    if (!ctx.gate.buckets.take(id)) return sendError(req, res, 429, 'Too Many Requests');
  }
  const maxBody = ctx.options.maxBodyBytes ?? 10 * 1024 * 1024;
  if (Number(header(req, 'content-length') ?? 0) > maxBody) return sendError(req, res, 413, 'Request Too Long');
  const body = await readBody(req, maxBody, ctx.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  if (body === 'tooLarge') return sendError(req, res, 413, 'Request Too Long');
  if (body === 'timeout') {
    res.shouldKeepAlive = false;
    return sendError(req, res, 408, 'Request Timeout');
  }
  // Yield so every request already waiting is read and admitted or shed before handlers take the CPU:
  // otherwise requests queue unseen in socket buffers and no limit ever applies.
  await nextTurn();
  const counted = apiKey !== undefined;
  if (counted && !ctx.load.enter()) {
    res.setHeader('Retry-After', String(ctx.load.limits.retryAfterSeconds));
    return sendError(req, res, 503, 'Service Unavailable');
  }
  try {
    await invoke(req, res, ctx, { route, url, pathParameters, apiKey, body });
  } finally {
    if (counted) ctx.load.leave();
  }
}

type Routed = NonNullable<ReturnType<typeof findRoute>> & {
  url: URL;
  apiKey: { key: string; id: string } | undefined;
  body: Buffer;
};

async function invoke(req: IncomingMessage, res: ServerResponse, ctx: Ctx, at: Routed): Promise<void> {
  const { route, url, pathParameters, apiKey, body } = at;
  const now = Date.now();
  const requestId = randomUUID();
  const binaryMediaTypes = ctx.options.binaryMediaTypes ?? DEFAULT_BINARY_TYPES;
  const event = apiGatewayEvent(req, { route, url, pathParameters, body, apiKey, requestId, now, binaryMediaTypes });
  const budget = ctx.options.integrationTimeoutMs ?? 29_000;
  const context = lambdaContext(route.functionName ?? `${config.service}-local-api`, budget, now);
  const result = await invokeWithTimeout(route.handler, event, context, budget);
  if (result === 'timeout') return sendError(req, res, 504, 'Endpoint request timed out', requestId);
  if (!isProxyResult(result)) return sendError(req, res, 502, 'Internal server error', requestId);
  sendResult(res, result, requestId);
}
