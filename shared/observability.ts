// The one logger and one metrics instance every handler attaches with middy.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { config } from './config.js';

export const logger = new Logger({ serviceName: config.service });
// The namespace is per stage (POWERTOOLS_METRICS_NAMESPACE, set in serverless.yml) so two stages in
// one account never mix their metrics; the alarms read the same namespace.
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? config.service,
  serviceName: config.service,
});
