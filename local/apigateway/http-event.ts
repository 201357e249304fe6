// API Gateway REST proxy integration, local side: the APIGatewayProxyEvent and Lambda context a
// request becomes, and route templates (`/v1/events`, `/reports/{name}`, `/{proxy+}`).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { config } from '#shared/config.js';

export interface RequestFacts {
  route: { path: string };
  url: URL;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  apiKey: { key: string; id: string } | undefined;
  requestId: string;
  now: number;
  binaryMediaTypes: readonly string[];
}

/** `/a/{b}/{rest+}` → a matcher returning the path parameters, or undefined when the path differs. */
export function compileRoutePath(template: string): (path: string) => Record<string, string> | null | undefined {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1] as string);
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  const pattern = new RegExp(`^${source}/?$`);
  return (path) => {
    const match = pattern.exec(path);
    if (!match) return undefined;
    if (names.length === 0) return null;
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
  };
}

export function apiGatewayEvent(req: IncomingMessage, facts: RequestFacts): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = headerMaps(req.rawHeaders);
  const query = queryMaps(facts.url.searchParams);
  const isBase64Encoded = isBinary(req, facts.binaryMediaTypes);
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    resource: facts.route.path,
    path: facts.url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: facts.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      domainName: req.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      extendedRequestId: randomBytes(8).toString('base64url'),
      httpMethod: method,
      identity: identity(req, facts.apiKey),
      path: `/local${facts.url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: facts.requestId,
      requestTime: requestTime(facts.now),
      requestTimeEpoch: facts.now,
      resourceId: 'local',
      resourcePath: facts.route.path,
      stage: 'local',
    },
    body: facts.body.length === 0 ? null : facts.body.toString(isBase64Encoded ? 'base64' : 'utf8'),
    isBase64Encoded,
  };
}

function identity(
  req: IncomingMessage,
  apiKey: RequestFacts['apiKey'],
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: apiKey?.key ?? null,
    apiKeyId: apiKey?.id ?? null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    user: null,
    userAgent: req.headers['user-agent'] ?? null,
    userArn: null,
  };
}

/** API Gateway passes the body base64-encoded when it is compressed or of a binary media type. */
function isBinary(req: IncomingMessage, binaryMediaTypes: readonly string[]): boolean {
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return true;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return binaryMediaTypes.some(
    (t) => t === '*/*' || t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))),
  );
}

function headerMaps(raw: readonly string[]): Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function queryMaps(params: URLSearchParams): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if ([...params.keys()].length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of params) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { single, multi };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `22/Nov/2025:10:00:00 +0000` */
function requestTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${time} +0000`;
}

/** The Lambda context API Gateway's synchronous invocation gives the handler. */
export function lambdaContext(functionName: string, budgetMs: number, start: number): Context {
  const region = config.region;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, budgetMs - (Date.now() - start)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
