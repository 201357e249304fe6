// Routing for the local API Gateway: matching a request to a route, what API Gateway answers for
// one it does not define, and a handler call bounded by the integration timeout.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { compileRoutePath } from './http-event.js';
import { sendError, sendJson } from './io.js';
import type { ApiHandler, HttpRoute } from './server.js';
import { serveStatic } from './static.js';

export type Matcher = HttpRoute & { match: ReturnType<typeof compileRoutePath> };

export function findRoute(routes: Matcher[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const pathParameters = route.match(path);
    if (pathParameters !== undefined) return { route, pathParameters };
  }
  return undefined;
}

export async function notRouted(
  req: IncomingMessage,
  res: ServerResponse,
  at: { url: URL; method: string; staticDir?: string },
) {
  const readable = at.method === 'GET' || at.method === 'HEAD';
  if (readable && at.staticDir) {
    if (await serveStatic(at.staticDir, at.url.pathname, res, at.method === 'HEAD')) return;
    return sendJson(res, 404, { message: 'Not Found' });
  }
  // What API Gateway answers for a resource or method the API does not define.
  sendError(req, res, 403, 'Missing Authentication Token');
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function invokeWithTimeout(
  handler: ApiHandler,
  event: APIGatewayProxyEvent,
  context: Context,
  ms: number,
) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([handler(event, context).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
