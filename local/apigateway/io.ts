// The wire side of the local API Gateway: reading a bounded request body and writing proxy
// results and API Gateway's own JSON error responses.
import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * The whole body; 'tooLarge' once it passes max bytes (at once from Content-Length, else while
 * reading; the rest is read and discarded so the client sees the answer); 'timeout' when it has not
 * all arrived `deadlineMs` after the request started (a slow client is not waited for).
 */
export function readBody(
  req: IncomingMessage,
  max: number,
  deadlineMs: number,
): Promise<Buffer | 'tooLarge' | 'timeout'> {
  return new Promise((resolve, reject) => {
    let tooLarge = Number(req.headers['content-length'] ?? 0) > max;
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      req.removeAllListeners('data');
      resolve('timeout');
    }, deadlineMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(tooLarge ? 'tooLarge' : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  const r = value as Partial<APIGatewayProxyResult> | undefined;
  return typeof r?.statusCode === 'number' && (r.body === undefined || typeof r.body === 'string');
}

export function sendResult(res: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(name, values.map(String));
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('x-amz-apigw-id', randomBytes(8).toString('base64url'));
  res.setHeader('content-length', body.length);
  if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
  res.writeHead(result.statusCode);
  res.end(body);
}

const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestException',
  403: 'ForbiddenException',
  408: 'RequestTimeoutException',
  413: 'RequestTooLarge',
  429: 'ThrottlingException',
  431: 'RequestHeaderFieldsTooLarge',
  502: 'InternalServerErrorException',
  503: 'ServiceUnavailableException',
  504: 'IntegrationTimeout',
};

/** API Gateway's own error responses: JSON `{"message": …}` with x-amzn-ErrorType. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  requestId = randomUUID(),
): void {
  req.resume();
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('x-amzn-ErrorType', ERROR_TYPES[status] ?? 'UnknownError');
  sendJson(res, status, { message });
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Node's answers to a request it could not read, written straight to the socket: a timeout, over-long headers, or else 400. */
const CLIENT_ERROR_STATUS: Record<string, number> = { ERR_HTTP_REQUEST_TIMEOUT: 408, HPE_HEADER_OVERFLOW: 431 };

/**
 * The `clientError` answer (a body cut short, bad framing, requestTimeout passed) as JSON with
 * x-amzn-ErrorType, like every other error; nothing when an answer has already started or the peer is gone.
 */
export function sendClientError(socket: Duplex, error: NodeJS.ErrnoException, inFlight?: ServerResponse): void {
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ message: reason });
  const head = [
    `HTTP/1.1 ${status} ${reason}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-amzn-RequestId: ${randomUUID()}`,
    `x-amzn-ErrorType: ${ERROR_TYPES[status] ?? 'UnknownError'}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
