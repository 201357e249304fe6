// Requests written straight to a socket, for what fetch cannot do: a body shorter than its
// Content-Length, a reset mid-body, a body trickled in one byte per second.
import { connect, type Socket } from 'node:net';
import type { Wire } from './corpus.js';

export interface RawAnswer {
  /** undefined when the server closed the connection without answering. */
  status?: number;
  headers: Record<string, string>;
  body: string;
  elapsedMs: number;
}

export interface RawRequest {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  wire: Exclude<Wire, { kind: 'whole' }>;
}

export function sendRaw(request: RawRequest): Promise<RawAnswer> {
  const { port } = new URL(request.url);
  const declared = request.wire.kind === 'truncated' ? request.wire.declaredBytes : request.body.length;
  const head = [`POST ${request.path} HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${declared}`];
  for (const [name, value] of Object.entries(request.headers)) head.push(`${name}: ${value}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    let trickle: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(trickle);
      resolve({ ...parseResponse(Buffer.concat(received).toString('utf8')), elapsedMs: Date.now() - started });
    });
    socket.on('connect', () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      trickle = writeBody(socket, request);
    });
  });
}

function writeBody(socket: Socket, request: RawRequest): NodeJS.Timeout | undefined {
  const { wire, body } = request;
  if (wire.kind === 'truncated') {
    socket.write(body.subarray(0, Math.min(body.length, wire.declaredBytes - 1)), () => {
      if (wire.end === 'fin') socket.end();
      else socket.resetAndDestroy();
    });
    return undefined;
  }
  let sent = 0;
  return setInterval(() => {
    if (sent < body.length && socket.writable) socket.write(body.subarray(sent, ++sent));
  }, 1_000);
}

function parseResponse(text: string): Omit<RawAnswer, 'elapsedMs'> {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { headers: {}, body: '' };
  const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}
