// Loads a real trigger payload from events/, a fresh deep clone per call so tests can mutate it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const eventsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../events');

export function loadEvent<T>(name: string): T {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  return JSON.parse(readFileSync(path.join(eventsDir, file), 'utf8')) as T;
}
