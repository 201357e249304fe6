// The ingest API's routes. API Gateway only forwards configured routes; the catch-all routes and
// the local runtime send everything else here, to be answered 404/405 in JSON.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MethodNotAllowed, RouteNotFound } from './errors.js';

export type Route = '/v1/events' | '/v1/health';

const ROUTES: Record<Route, readonly string[]> = {
  '/v1/events': ['POST', 'OPTIONS'],
  '/v1/health': ['GET', 'OPTIONS'],
};

const isRoute = (path: string): path is Route => Object.hasOwn(ROUTES, path);

/** The route a request is for; throws RouteNotFound or MethodNotAllowed. */
export function matchRoute(event: Pick<APIGatewayProxyEvent, 'resource' | 'path' | 'httpMethod'>): Route {
  // `resource` is the API Gateway route template; `path` also carries any custom-domain base path.
  const path = isRoute(event.resource) ? event.resource : event.path.replace(/\/+$/, '');
  if (!isRoute(path)) throw new RouteNotFound(event.path);
  const method = event.httpMethod.toUpperCase();
  if (!ROUTES[path].includes(method)) throw new MethodNotAllowed(method, ROUTES[path]);
  return path;
}
