// Every physical name of the stack, derived from service, stage and region in one place, and the
// stage checked before anything is named. serverless.yml reads them as ${file(./infra/names.cjs):<name>};
// tests import namesFor() and stageProblem() directly.
'use strict';

const pipeline = require(require('node:path').join(__dirname, '..', 'shared', 'pipeline.json'));

/** Lowercase letters and digits, in hyphen-separated words: `dev`, `prod-eu-1`, `42`. */
const STAGE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A CloudFormation !Sub placeholder, substituted at deploy time by 12 digits. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation placeholder, not a JS template
const ACCOUNT_ID = '${AWS::AccountId}';
const ACCOUNT_ID_LENGTH = 12;

/** Suffixes of the IAM roles the stack names `<service>-<stage>-<region>-<suffix>` (infra/resources/*.yml). */
const ROLE_SUFFIXES = [
  'transform',
  'health',
  'ingest',
  'start-parquet-job',
  'start-reports',
  'publish-report',
  'retry-failed-run',
  'direct-delivery',
  'device-delivery',
  'device-rule',
  'device-rule-errors',
  'parquet-job',
  'quicksight-reports',
];

/** Lambda function keys of infra/functions/*.yml; serverless names them `<service>-<stage>-<key>`. */
const FUNCTION_KEYS = [
  'transform',
  'ingest',
  'health',
  'start-parquet-job',
  'start-reports',
  'publish-report',
  'retry-failed-run',
];

/** Service limits on names (AWS docs): the longest each may be, and the characters it may hold. */
const LIMITS = {
  bucket: { max: 63, pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/ },
  role: { max: 64, pattern: /^[A-Za-z0-9+=,.@_-]+$/ },
  function: { max: 64, pattern: /^[A-Za-z0-9_-]+$/ },
  deliveryStream: { max: 64, pattern: /^[A-Za-z0-9_.-]+$/ },
  kinesisStream: { max: 128, pattern: /^[A-Za-z0-9_.-]+$/ },
  glueJob: { max: 255, pattern: /^[A-Za-z0-9_-]+$/ },
  glueDatabase: { max: 255, pattern: /^[a-z0-9_]+$/ },
  athenaWorkgroup: { max: 128, pattern: /^[A-Za-z0-9._-]+$/ },
  iotRule: { max: 128, pattern: /^[A-Za-z0-9_]+$/ },
  snsTopic: { max: 256, pattern: /^[A-Za-z0-9_-]+$/ },
  quicksightId: { max: 512, pattern: /^[A-Za-z0-9_-]+$/ },
};

/** An error whose printed form is its message alone: serverless prints `stack` for a failing file variable. */
function refusal(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** Why a stage cannot be used, or undefined when it can. */
function stageProblem(stage) {
  if (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)) {
    return (
      `stage "${stage}" is not allowed: use lowercase letters and digits, optionally in words joined by single ` +
      'hyphens (e.g. dev, prod-eu-1); bucket names refuse uppercase and the Glue database name is built from it'
    );
  }
  return undefined;
}

/**
 * Every physical name for a stage. Buckets are `!Sub` strings ending in the account id; their length
 * is checked with the 12 digits it becomes. Throws with a message naming the stage and the first
 * name that breaks its limit.
 */
function namesFor({ service = pipeline.service, stage, region = pipeline.region, config = pipeline }) {
  const problem = stageProblem(stage);
  if (problem) throw refusal(problem);
  const base = `${service}-${stage}`;
  const underscored = `${service}_${stage}`.replace(/-/g, '_');
  const bucket = (role) => `${base}-${role}-${ACCOUNT_ID}`;
  const names = {
    stage,
    prefix: `${base}-`,
    ingestBucket: bucket(config.buckets.ingest),
    lakeBucket: bucket(config.buckets.lake),
    reportingBucket: bucket(config.buckets.reporting),
    directStream: `${base}-${config.firehose.directStream}`,
    deviceStream: `${base}-${config.firehose.deviceStream}`,
    kinesisStream: `${base}-device-events`,
    glueJob: `${base}-${config.glue.jobName}`,
    glueDatabase: `${underscored}_${config.athena.database}`,
    athenaWorkgroup: `${base}-${config.athena.workgroup}`,
    iotRuleName: `${underscored}_device_events`,
    alarmTopic: `${base}-alarms`,
    usagePlan: base,
    metricsNamespace: base,
    quicksightPrefix: `${base}-`,
  };
  checkLengths(names, { base, region });
  return names;
}

function checkLengths(names, { base, region }) {
  const accountless = (name) => name.replace(ACCOUNT_ID, '0'.repeat(ACCOUNT_ID_LENGTH));
  const checks = [
    ...['ingestBucket', 'lakeBucket', 'reportingBucket'].map((k) => ['bucket', accountless(names[k])]),
    ...ROLE_SUFFIXES.map((suffix) => ['role', `${base}-${region}-${suffix}`]),
    ...FUNCTION_KEYS.map((key) => ['function', `${base}-${key}`]),
    ['deliveryStream', names.directStream],
    ['deliveryStream', names.deviceStream],
    ['kinesisStream', names.kinesisStream],
    ['glueJob', names.glueJob],
    ['glueDatabase', names.glueDatabase],
    ['athenaWorkgroup', names.athenaWorkgroup],
    ['iotRule', names.iotRuleName],
    ['snsTopic', names.alarmTopic],
    ['quicksightId', `${names.quicksightPrefix}athena`],
  ];
  for (const [kind, name] of checks) {
    const { max, pattern } = LIMITS[kind];
    if (name.length > max) {
      throw refusal(
        `stage "${names.stage}" is too long: the ${kind} name ${name} is ${name.length} characters, the limit is ${max}`,
      );
    }
    if (!pattern.test(name)) throw refusal(`stage "${names.stage}" makes an invalid ${kind} name: ${name}`);
  }
}

/** The longest stage of `length` characters every name still fits, for a region. */
function maxStageLength(region = pipeline.region) {
  let length = 1;
  while (length < 200) {
    try {
      namesFor({ stage: 'a'.repeat(length + 1), region });
    } catch {
      return length;
    }
    length += 1;
  }
  return length;
}

module.exports = async ({ options, resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const region = options.region ?? pipeline.region;
  return namesFor({ stage, region });
};
module.exports.namesFor = namesFor;
module.exports.stageProblem = stageProblem;
module.exports.maxStageLength = maxStageLength;
module.exports.LIMITS = LIMITS;
module.exports.ROLE_SUFFIXES = ROLE_SUFFIXES;
module.exports.FUNCTION_KEYS = FUNCTION_KEYS;
