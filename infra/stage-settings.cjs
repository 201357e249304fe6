// Per-stage settings of the stack that are not names: the CORS allow-list of the stage
// (`api.corsAllowedOrigins.<stage>` in shared/pipeline.json, none for a stage it does not list).
// serverless.yml reads them as ${file(./infra/stage-settings.cjs):<setting>}.
'use strict';

const pipeline = require(require('node:path').join(__dirname, '..', 'shared', 'pipeline.json'));

/** The stage's allow-list as one comma-separated environment value ('' = no cross-origin access). */
function corsAllowedOrigins(stage, config = pipeline) {
  const byStage = config.api.corsAllowedOrigins;
  const origins = Object.hasOwn(byStage, stage) ? byStage[stage] : [];
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/,\s]+$/.test(origin)) {
      throw new Error(`api.corsAllowedOrigins.${stage}: "${origin}" is not an origin (scheme://host[:port]) or *`);
    }
  }
  return origins.join(',');
}

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  return { corsAllowedOrigins: corsAllowedOrigins(stage) };
};
module.exports.corsAllowedOrigins = corsAllowedOrigins;
