// The eventlake program: usage mistakes are exit 2 with a message and the usage line (never a stack,
// never NaN or an unbounded run), help and version answer 0 everywhere, options reach the tools.
import { describe, expect, it } from 'vitest';
import { commands } from '../../local/cli/commands.js';
import { runProgram } from '../../local/cli/program.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runProgram(commands, argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('eventlake', () => {
  it('lists every command in its help, and answers --version', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const name of ['demo', 'dev', 'status', 'send', 'query', 'replay', 'load', 'chaos'])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(await run()).toMatchObject({ code: 0 });
    expect(await run('--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it.each(['demo', 'dev', 'status', 'send', 'query', 'replay', 'load', 'chaos'])(
    '%s answers -h and --version',
    async (name) => {
      const help = await run(name, '-h');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: eventlake ${name}`);
      expect(await run(name, '--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    },
  );

  it.each([
    [['demo', '--events', 'abc'], "argument 'abc' is invalid. must be a whole number from 1 to"],
    [['demo', '--events', '0'], "argument '0' is invalid"],
    [['demo', '--events', '1e3'], "argument '1e3' is invalid"],
    [['demo', '--events', '99999999999'], 'is invalid'],
    [['dev', '--port', '65536'], 'must be a whole number from 0 to 65535'],
    [['send', '--batch', '1000'], 'must be a whole number from 1 to 500'],
    [['send', '--rate', '-1'], "argument '-1' is invalid"],
    [['load', '--stages', '10,x'], "argument '10,x' is invalid"],
    [['load', '--invalid', '1.5'], 'must be a number from 0 to 1'],
    [['chaos', '--rate-poison', 'lots'], 'must be a number from 0 to 1'],
    [['replay', 'failed', '--since', '1/2/2024'], 'must be a date yyyy-MM-dd'],
    [
      ['replay', 'everything'],
      "'everything' is invalid for argument 'source'. Allowed choices are failed, processing-failed, dlq",
    ],
  ])('refuses %j with exit 2 and the usage', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`usage: eventlake ${argv[0]}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('suggests the option or command meant', async () => {
    expect(await run('demo', '--evnts', '5')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Did you mean --events?'),
    });
    expect(await run('dev', '--prot', '1')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Did you mean --port?'),
    });
    expect(await run('stauts')).toMatchObject({ code: 2, stderr: expect.stringContaining('Did you mean status?') });
  });

  it('hands the checked options on to the tool (replay reads the data directory it was given)', async () => {
    const result = await run(
      'replay',
      'dlq',
      '--queue',
      'rawObjects',
      '--data-dir',
      '/nonexistent/eventlake-x',
      '--json',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no eventlake data at /nonexistent/eventlake-x');
  });
});
