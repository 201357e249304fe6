// Everything written to stdout, stderr or the console while a corpus runs. The Powertools logger
// writes JSON lines through its own Console over process.stdout, so patching the streams' `write`
// catches it (and anything else that logs); the captured output is kept out of the test report.
import { format } from 'node:util';
import { logger } from '#shared/observability.js';

export interface CapturedLogs {
  /** Every captured write, split into lines. */
  lines(): string[];
  stop(): void;
}

type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Starts capturing, with the shared logger at DEBUG so the most talkative level is checked. */
export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  const consoleMethods = CONSOLE_METHODS.map((name) => console[name]);
  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as Write;
  for (const stream of streams) stream.write = capture;
  for (const name of CONSOLE_METHODS) console[name] = (...args: unknown[]) => chunks.push(`${format(...args)}\n`);
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== ''),
    stop: () => {
      streams.forEach((stream, i) => {
        stream.write = writes[i] as Write;
      });
      CONSOLE_METHODS.forEach((name, i) => {
        console[name] = consoleMethods[i] as (typeof console)[typeof name];
      });
      logger.setLogLevel(level);
    },
  };
}

/** The captured lines holding any of `secrets` (payload markers, API key values). */
export const linesContaining = (lines: readonly string[], secrets: readonly string[]): string[] =>
  lines.filter((line) => secrets.some((secret) => line.includes(secret)));
