// For commands whose tool keeps an argv entry point (replay, load, chaos: `runX(argv)` is also what
// their own code and tests call): commander checks the words first, then the options the user gave
// are handed on as a normalized argv (numbers already validated, names spelled out in full).
import type { Command } from 'commander';

export function forwardedArgv(command: Command): string[] {
  const argv = [...command.args];
  for (const option of command.options) {
    const name = option.attributeName();
    if (option.long === undefined || option.long === '--version' || option.long === '--help') continue;
    if (command.getOptionValueSource(name) !== 'cli') continue;
    const value: unknown = command.getOptionValue(name);
    if (value === true) argv.push(option.long);
    else if (Array.isArray(value)) argv.push(option.long, value.join(','));
    else if (value !== undefined && value !== false) argv.push(option.long, String(value));
  }
  return argv;
}
