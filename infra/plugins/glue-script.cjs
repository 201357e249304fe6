// Ships the Glue job's Python scripts (glue/*.py) with `serverless deploy`: at package time the job's
// Command.ScriptLocation is set to a content-hash key in the deployment bucket (no AWS needed); on
// deploy the scripts are uploaded to that key before the stack update. A changed script → a new key →
// a job update, so a deploy can never leave the job on a stale script.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Hash segment used when the entry script does not exist yet: packaging works, deploying refuses. */
const MISSING = 'missing';

/** The entry script and its sibling modules, sorted by name; undefined when the entry is missing. */
function readScripts(serviceDir, entry) {
  const entryPath = path.join(serviceDir, entry);
  if (!fs.existsSync(entryPath)) return undefined;
  const dir = path.dirname(entryPath);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => ({ name, body: fs.readFileSync(path.join(dir, name)) }));
}

/** sha256 over every script's name and bytes, so renames and edits both change it. */
function contentHash(scripts) {
  const hash = crypto.createHash('sha256');
  for (const { name, body } of scripts) hash.update(name).update('\0').update(body).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * What to upload and where: `<deploymentPrefix>/<service>/<stage>/<prefix><hash>/<file>` for every
 * script. Under serverless's own stage prefix, so `serverless remove` empties it with the rest; not in a
 * timestamped deployment folder, so deploy cleanup leaves the live script alone.
 * @returns {{ hash: string, dir: string, entryKey: string, objects: {key: string, body: Buffer}[], extraKeys: string[] }}
 */
function planScripts({ serviceDir, entry, deploymentPrefix, prefix, service, stage }) {
  const scripts = readScripts(serviceDir, entry) ?? [];
  const hash = scripts.length > 0 ? contentHash(scripts) : MISSING;
  const dir = `${deploymentPrefix}/${service}/${stage}/${prefix}${hash}/`;
  const entryName = path.basename(entry);
  const objects = scripts.map(({ name, body }) => ({ key: `${dir}${name}`, body }));
  const extraKeys = objects.map((o) => o.key).filter((key) => key !== `${dir}${entryName}`);
  return { hash, dir, entryKey: `${dir}${entryName}`, objects, extraKeys };
}

const s3UriOf = (bucketRef, key) => ({ 'Fn::Join': ['', ['s3://', bucketRef, '/', key]] });

/** Points the job at the planned keys and lets the job's role read exactly those. */
function applyToTemplate(template, plan, { bucketRef, job, role }) {
  const resources = template.Resources;
  const jobResource = resources[job];
  const roleResource = resources[role];
  if (!jobResource || !roleResource) {
    throw new Error(`glue-script: ${!jobResource ? job : role} is not in the template`);
  }
  jobResource.Properties.Command.ScriptLocation = s3UriOf(bucketRef, plan.entryKey);
  if (plan.extraKeys.length > 0) {
    jobResource.Properties.DefaultArguments['--extra-py-files'] = {
      'Fn::Join': [',', plan.extraKeys.map((key) => s3UriOf(bucketRef, key))],
    };
  }
  roleResource.Properties.Policies[0].PolicyDocument.Statement.push({
    Sid: 'ReadJobScripts',
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', bucketRef, '/', plan.dir, '*']] },
  });
}

/** Uploads every planned script through `putObject(params)` (an S3 PutObject). */
async function uploadScripts(putObject, bucket, plan) {
  if (plan.hash === MISSING) throw new Error('glue-script: the Glue entry script does not exist; nothing to deploy');
  for (const { key, body } of plan.objects) {
    await putObject({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/x-python' });
  }
  return plan.objects.map((o) => o.key);
}

/** The ScriptLocation key a template was packaged with, to catch scripts edited after packaging. */
function packagedEntryKey(template, job) {
  const parts = template?.Resources?.[job]?.Properties?.Command?.ScriptLocation?.['Fn::Join']?.[1];
  return Array.isArray(parts) ? parts[parts.length - 1] : undefined;
}

class GlueScriptPlugin {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.log = log;
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.package(),
      'after:aws:deploy:deploy:uploadArtifacts': () => this.deploy(),
    };
  }

  settings() {
    const { service } = this.serverless;
    const glueScript = service.custom.stack.glueScript;
    return {
      ...glueScript,
      serviceDir: this.serverless.serviceDir,
      deploymentPrefix: this.provider.getDeploymentPrefix(),
      prefix: service.custom.pipeline.prefixes.glueScripts,
      service: service.service,
      stage: this.provider.getStage(),
    };
  }

  bucketRef() {
    const name = this.serverless.service.provider.deploymentBucket;
    return name ? name : { Ref: this.provider.naming.getDeploymentBucketLogicalId() };
  }

  package() {
    const settings = this.settings();
    const plan = planScripts(settings);
    if (plan.hash === MISSING) this.log?.warning(`glue-script: ${settings.entry} not found; deploy will refuse`);
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    applyToTemplate(template, plan, { ...settings, bucketRef: this.bucketRef() });
  }

  async deploy() {
    if (this.serverless.service.provider.shouldNotDeploy) return;
    const settings = this.settings();
    const plan = planScripts(settings);
    const packaged = packagedEntryKey(this.serverless.service.provider.compiledCloudFormationTemplate, settings.job);
    if (packaged !== undefined && packaged !== plan.entryKey) {
      throw new Error(`glue-script: scripts changed since packaging (${packaged} ≠ ${plan.entryKey}); package again`);
    }
    const bucket = await this.provider.getServerlessDeploymentBucketName();
    const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
    const s3 = new S3Client(await this.provider.getAwsSdkV3Config());
    const keys = await uploadScripts((params) => s3.send(new PutObjectCommand(params)), bucket, plan);
    this.log?.info(`glue-script: uploaded ${keys.join(', ')} to ${bucket}`);
  }
}

module.exports = GlueScriptPlugin;
module.exports.MISSING = MISSING;
module.exports.planScripts = planScripts;
module.exports.applyToTemplate = applyToTemplate;
module.exports.uploadScripts = uploadScripts;
module.exports.packagedEntryKey = packagedEntryKey;
