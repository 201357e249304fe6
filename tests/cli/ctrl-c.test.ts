// Ctrl-C on `npm run dev` in a real terminal: util-linux `script` gives the command a pseudo-terminal,
// and \x03 written to it makes the terminal send SIGINT to the whole foreground process group (npm,
// the shell npm runs the script with, node), as a keypress does. `script` runs the command through
// $SHELL -c; the `exec` takes that shell out of the group, as an interactive shell does when it puts
// a job in the foreground (dash, unlike bash, would otherwise die of the SIGINT itself and exit 130). The stack must flush and settle, say "stopped cleanly" and
// exit 0, with every event answered 200 before the Ctrl-C in curated Parquet.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { lakeRows, pageView, tempDataDir } from './lake.js';

const root = path.resolve(import.meta.dirname, '../..');
const [apiKey = '', app = ''] = Object.entries(config.local.apiKeys)[0] ?? [];
let child: ChildProcessWithoutNullStreams | undefined;
let dataDir: string | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

async function until(condition: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Ctrl-C on npm run dev in a terminal', () => {
  it('flushes, settles, says "stopped cleanly" and exits 0; acknowledged events reach curated Parquet', async () => {
    dataDir = tempDataDir();
    const command = `exec npm run dev -- --port 0 --data-dir ${dataDir}`;
    const started = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    await until(
      () => output.includes('Ctrl-C stops cleanly'),
      90_000,
      () => output,
    );
    const url = /POST (http:\/\/127\.0\.0\.1:\d+)\/v1\/events/.exec(output)?.[1] as string;

    const events = Array.from({ length: 30 }, () => pageView({ app_id: app }));
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ events }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 30 });

    started.stdin.write('\x03');
    expect(await exited, output).toBe(0);
    expect(output).toContain('SIGINT: stopping');
    expect(output).toContain('stopped cleanly');
    expect(output).not.toContain('without a clean stop');
    const ids = events.map((e) => `'${e.event_id}'`).join(',');
    const rows = await lakeRows(dataDir, `SELECT count(DISTINCT event_id) FROM events WHERE event_id IN (${ids})`);
    expect(Number(rows[0]?.[0])).toBe(30);
  }, 180_000);
});
