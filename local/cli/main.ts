// The `eventlake` command (package.json bin → bin.mjs → this module). Each command is a module under
// commands/ exporting `register(program, cli)`, listed in commands.ts. Commands import
// their heavy modules (DuckDB, the pipeline) only when they run, so usage errors answer at once.
// Powertools reads its settings when the handlers' modules load, so set them before importing any.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

import { commands } from './commands.js';
import { runProgram } from './program.js';

process.exitCode = await runProgram(commands, process.argv.slice(2));
