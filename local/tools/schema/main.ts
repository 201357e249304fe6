// Stand-alone entry for the deploy hook (infra/plugins/schema-check.cjs), which runs before the CLI's
// dependencies matter: `tsx local/tools/schema/main.ts check|release [repository root]`. Users run
// `npx eventlake schema check|release` (local/cli/commands/schema.ts).
// Exit code 0 (no breaking change), 1 (breaking changes), 2 (usage).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSchemaCheck, runSchemaRelease } from './schema.js';

const root = process.argv[3] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const processIo = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t) };
const commands: Record<string, (root: string, io: typeof processIo) => number> = {
  check: runSchemaCheck,
  release: runSchemaRelease,
};
const command = commands[process.argv[2] ?? ''];
if (command === undefined)
  process.stderr.write('usage: tsx local/tools/schema/main.ts check|release [repository root]\n');
process.exitCode = command === undefined ? 2 : command(root, processIo);
