// Every command of `eventlake`, in the order its help lists them. A new command is a module under
// commands/ exporting `register(program, cli)`, added here.
import * as chaos from './commands/chaos.js';
import * as crash from './commands/crash.js';
import * as demo from './commands/demo.js';
import * as dev from './commands/dev.js';
import * as load from './commands/load.js';
import * as query from './commands/query.js';
import * as replay from './commands/replay.js';
import * as schema from './commands/schema.js';
import * as send from './commands/send.js';
import * as status from './commands/status.js';
import type { Register } from './program.js';

export const commands: Register[] = [
  demo.register,
  dev.register,
  status.register,
  send.register,
  query.register,
  replay.register,
  load.register,
  chaos.register,
  crash.register,
  schema.register,
];
