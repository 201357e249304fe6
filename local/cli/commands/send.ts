// `eventlake send`: realistic traffic to POST /v1/events (the local API or a deployed stage).
import type { Command } from 'commander';
import { type Cli, type Register, usageError } from '../program.js';
import type { SendIo } from '../send.js';
import { declareSendOptions, type SendFlags, sendPlan } from '../send-args.js';

/** The command, sending through `io` (tests pass their own fetch, environment and output). */
export const sendCommand =
  (io?: SendIo): Register =>
  (program: Command, cli: Cli) => {
    const command = program
      .command('send')
      .description('generate realistic events and send them to POST /v1/events; counts delivered vs rejected');
    declareSendOptions(command).action(
      cli.run(async (flags: SendFlags) => {
        const send = await import('../send.js');
        const sendIo = io ?? send.processSendIo(cli.io);
        const plan = sendPlan(flags, sendIo.env);
        if (typeof plan === 'string') usageError(command, plan);
        return send.sendAndReport(plan, sendIo);
      }),
    );
  };

export const register: Register = sendCommand();
