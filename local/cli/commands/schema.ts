// `eventlake schema check|release`: schema-change safety (local/tools/schema). `check` diffs the
// schemas and curated columns against schemas/released.json and the reports' columns; `release`
// records the current ones as released. Exit 0 clean, 1 breaking changes, 2 usage.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Cli } from '../program.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function register(program: Command, cli: Cli): void {
  const schema = program
    .command('schema')
    .description('schema-change safety: check the schemas against the last release, or record a release');
  schema
    .command('check')
    .description('fail on a change that breaks readers (type change, removed column a report reads, edited version, …)')
    .option('--root <dir>', 'repository root', repositoryRoot)
    .action(
      cli.run(async (options: { root: string }) => {
        const { runSchemaCheck } = await import('../../tools/schema/schema.js');
        return runSchemaCheck(path.resolve(options.root), cli.io);
      }),
    );
  schema
    .command('release')
    .description('record the current schemas and curated columns as released (schemas/released.json)')
    .option('--root <dir>', 'repository root', repositoryRoot)
    .action(
      cli.run(async (options: { root: string }) => {
        const { runSchemaRelease } = await import('../../tools/schema/schema.js');
        return runSchemaRelease(path.resolve(options.root), cli.io);
      }),
    );
}
