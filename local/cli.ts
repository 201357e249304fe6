// The `eventlake` command: the local runtime's entry point (npm start, npm run dev, send, query, replay).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { makeTransformHandler } from '../functions/transform.js';
import type { BatchCounts } from '../shared/firehose-batch.js';

const USAGE = `Usage: eventlake <command> [options]

Commands:
  demo     run the sample Firehose events through the transform and print the outcome
  help     show this text`;

async function demo(): Promise<number> {
  const eventsDir = path.resolve(import.meta.dirname, '../events');
  const files = readdirSync(eventsDir).filter((f) => f.startsWith('firehose-'));
  for (const file of files) {
    const event = JSON.parse(readFileSync(path.join(eventsDir, file), 'utf8')) as FirehoseTransformationEvent;
    let counts: BatchCounts | undefined;
    const response = await makeTransformHandler((c) => {
      counts = c;
    })(event);
    console.log(`${file}: ${JSON.stringify(counts)}`);
    for (const record of response.records) {
      const keys = record.metadata?.partitionKeys;
      console.log(`  ${record.result} → ${keys?.zone}/type=${keys?.event_type}/dt=${keys?.dt}/`);
    }
  }
  return 0;
}

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  demo,
  help: async () => {
    console.log(USAGE);
    return 0;
  },
};

const [name = 'help', ...rest] = process.argv.slice(2);
const command = commands[name];
if (command === undefined) {
  console.error(`unknown command: ${name}\n\n${USAGE}`);
  process.exitCode = 2;
} else {
  process.exitCode = await command(rest);
}
