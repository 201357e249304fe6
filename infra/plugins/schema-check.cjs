// Runs `eventlake schema check` (local/tools/schema) before the stack is packaged — and so before every
// `serverless deploy`, which packages first — and before deploying an already built package: a schema
// change that would break readers never reaches a stage. The check runs once per serverless command.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** Runs the check on `root` in a child (the checker is TypeScript, run by tsx); returns { status, output }. */
function runCheck(serviceDir, root = serviceDir) {
  const tsx = path.join(serviceDir, 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, [path.join(serviceDir, 'local/tools/schema/main.ts'), 'check', root], {
    cwd: serviceDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  return { status: run.status, output };
}

class SchemaCheckPlugin {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.done = false;
    this.hooks = {
      'before:package:initialize': () => this.check(),
      'before:deploy:deploy': () => this.check(),
    };
  }

  check() {
    if (this.done) return;
    const { status, output } = runCheck(this.serverless.serviceDir);
    if (status !== 0) {
      throw new Error(`schema check failed: a schema change would break readers.\n${output.trim()}`);
    }
    this.done = true;
    this.log?.info('schema check: no breaking change against schemas/released.json');
  }
}

module.exports = SchemaCheckPlugin;
module.exports.runCheck = runCheck;
