// Where the stack's files live, relative to this folder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const catalogPath = path.join(repoRoot, 'infra/catalog.json');
