// The `eventlake` command (package.json bin → bin.mjs → this module). Each command is a module under
// commands/ exporting `register(program, cli)`; add a new one to the list below. Commands import
// their heavy modules (DuckDB, the pipeline) only when they run, so usage errors answer at once.
// Powertools reads its settings when the handlers' modules load, so set them before importing any.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

import * as chaos from './commands/chaos.js';
import * as demo from './commands/demo.js';
import * as dev from './commands/dev.js';
import * as load from './commands/load.js';
import * as query from './commands/query.js';
import * as replay from './commands/replay.js';
import * as send from './commands/send.js';
import * as status from './commands/status.js';
import { type Register, runProgram } from './program.js';

export const commands: Register[] = [
  demo.register,
  dev.register,
  status.register,
  send.register,
  query.register,
  replay.register,
  load.register,
  chaos.register,
];

process.exitCode = await runProgram(commands, process.argv.slice(2));
