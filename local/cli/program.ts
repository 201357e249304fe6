// The `eventlake` program on commander: one module per command under commands/, each exporting
// `register(program, cli)`; this file builds the program from them and turns commander's outcomes
// into exit codes (0 for help and version, 2 for every usage mistake, the action's code otherwise).
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** What a command's action can reach: the output streams, and a wrapper that records its exit code. */
export interface Cli {
  io: CliIo;
  /** Wraps an action so that the number it resolves with becomes the process's exit code. */
  run<A extends unknown[]>(action: (...args: A) => Promise<number> | number): (...args: A) => Promise<void>;
}

/** A command module's contract: add one subcommand (with its options) to the program. */
export type Register = (program: Command, cli: Cli) => void;

const USAGE_EXIT = 2;
const QUIET_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** The program with every command of `registers`; settings given here are inherited by each subcommand. */
export function buildProgram(registers: readonly Register[], cli: Cli): Command {
  const program = new Command('eventlake')
    .description('eventlake: the local runtime of the event pipeline, and its tools')
    .version(pkg.version, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: cli.io.stdout, writeErr: cli.io.stderr });
  program.addHelpCommand(true);
  for (const register of registers) register(program, cli);
  for (const command of program.commands) {
    command.version(pkg.version, '-V, --version');
    command.showHelpAfterError(
      `usage: eventlake ${command.name()} ${command.usage()}\n(eventlake ${command.name()} --help for every option)`,
    );
  }
  return program;
}

/** Parses `argv` (the words after `eventlake`) and runs the chosen command; resolves with the exit code. */
export async function runProgram(
  registers: readonly Register[],
  argv: string[],
  io: CliIo = processIo,
): Promise<number> {
  let exitCode = 0;
  const cli: Cli = {
    io,
    run:
      (action) =>
      async (...args) => {
        exitCode = await action(...args);
      },
  };
  const program = buildProgram(registers, cli);
  try {
    await program.parseAsync(argv.length === 0 ? ['help'] : argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return QUIET_CODES.has(error.code) ? 0 : USAGE_EXIT;
    throw error;
  }
}

/** A usage mistake found after parsing (e.g. a missing environment variable): message, usage hint, exit 2. */
export function usageError(command: Command, message: string): never {
  return command.error(`error: ${message}`, { exitCode: USAGE_EXIT, code: 'eventlake.usage' });
}
