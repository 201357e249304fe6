// One check of an answer against the corpus, for HTTP responses and λ results alike.
import { expect } from 'vitest';
import type { Answer } from './corpus.js';

export interface SeenAnswer {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

export function expectAnswer(seen: SeenAnswer, answer: Answer): void {
  expect(seen.status).toBe(answer.status);
  expect(seen.headers['content-type']).toMatch(/^application\/json\b/);
  const json = JSON.parse(seen.body) as Record<string, unknown>;
  if ('error' in answer) {
    expect(json).toEqual({ error: answer.error, message: expect.any(String) });
    if (answer.reason !== undefined) expect(json.message).toContain(answer.reason);
  } else if ('gatewayError' in answer) {
    expect(seen.headers['x-amzn-errortype']).toBe(answer.gatewayError);
    expect(json).toEqual({ message: expect.any(String) });
  } else if ('rejected' in answer) {
    expect(json).toEqual({
      accepted: 0,
      rejected: [expect.objectContaining({ index: 0, reason: expect.stringMatching(`^${answer.rejected}: `) })],
    });
  } else expect(json).toEqual({ accepted: 1, rejected: [] });
}

export const lowerCased = (headers: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
