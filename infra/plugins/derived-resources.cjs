// Resources that follow from what exists at package time, so the stack never names a function, an
// API or a report that is not there: an Errors and a Throttles alarm per Lambda function, the API URL
// output when the REST API exists, and a QuickSight manifest URI output per reports/<name>.sql.
// It also blocks public access on serverless's own deployment bucket, like every other bucket.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const pascal = (name) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

/** Errors and Throttles alarms for one function, notifying the alarm topic. */
function functionAlarms({ functionLogicalId, alarmIdPrefix, alarmNamePrefix, periodSeconds, topic }) {
  const alarm = (metric, what) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${alarmNamePrefix}-${metric.toLowerCase()}`,
      AlarmDescription: `${what} of ${alarmNamePrefix}`,
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId } }],
      Statistic: 'Sum',
      Period: periodSeconds,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    },
  });
  return {
    [`${alarmIdPrefix}ErrorsAlarm`]: alarm('Errors', 'Invocation errors'),
    [`${alarmIdPrefix}ThrottlesAlarm`]: alarm('Throttles', 'Throttled invocations'),
  };
}

/** `reports/<name>.sql` → report names, sorted; none when the folder does not exist yet. */
function reportNames(serviceDir) {
  const dir = path.join(serviceDir, 'reports');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => file.slice(0, -'.sql'.length))
    .sort();
}

/** One output per report: the S3 URI of the manifest QuickSight reads (shared/lake/keys.ts reportManifestKey). */
function manifestOutputs(reports, { bucketLogicalId, reportsPrefix }) {
  return Object.fromEntries(
    reports.map((report) => [
      `QuickSightManifest${pascal(report)}`,
      {
        Description: `QuickSight S3 manifest of the ${report} report`,
        Value: { 'Fn::Join': ['', ['s3://', { Ref: bucketLogicalId }, `/${reportsPrefix}${report}/manifest.json`]] },
      },
    ]),
  );
}

/** The REST API's invoke URL, when serverless created one (any `http` event). */
function apiUrlOutput(template, stage) {
  if (!template.Resources.ApiGatewayRestApi) return {};
  return {
    ApiUrl: {
      Description: 'Ingest API base URL (every method requires an app API key)',
      Value: {
        'Fn::Sub': `https://\${ApiGatewayRestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stage}`,
      },
    },
  };
}

/** Block Public Access on the deployment bucket serverless creates (absent with provider.deploymentBucket). */
function blockDeploymentBucketPublicAccess(template, bucketLogicalId) {
  const bucket = template.Resources[bucketLogicalId];
  if (!bucket) return;
  bucket.Properties = {
    ...bucket.Properties,
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
  };
}

class DerivedResourcesPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.package(),
    };
  }

  package() {
    const { service } = this.serverless;
    const template = service.provider.compiledCloudFormationTemplate;
    const stage = this.provider.getStage();
    const { naming } = this.provider;
    for (const name of service.getAllFunctions()) {
      const functionLogicalId = naming.getLambdaLogicalId(name);
      if (!template.Resources[functionLogicalId]) continue;
      Object.assign(
        template.Resources,
        functionAlarms({
          functionLogicalId,
          alarmIdPrefix: naming.getNormalizedFunctionName(name),
          alarmNamePrefix: `${service.service}-${stage}-${name}`,
          periodSeconds: service.custom.stack.alarms.periodSeconds,
          topic: 'AlarmTopic',
        }),
      );
    }
    blockDeploymentBucketPublicAccess(template, naming.getDeploymentBucketLogicalId());
    const reports = reportNames(this.serverless.serviceDir);
    template.Outputs = {
      ...template.Outputs,
      ...apiUrlOutput(template, stage),
      ...manifestOutputs(reports, {
        bucketLogicalId: 'ReportingBucket',
        reportsPrefix: service.custom.pipeline.prefixes.reports,
      }),
    };
  }
}

module.exports = DerivedResourcesPlugin;
module.exports.functionAlarms = functionAlarms;
module.exports.reportNames = reportNames;
module.exports.pascal = pascal;
module.exports.manifestOutputs = manifestOutputs;
