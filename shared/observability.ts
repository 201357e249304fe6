// The one logger and one metrics instance every handler attaches with middy.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { config } from './config.js';

export const logger = new Logger({ serviceName: config.service });
export const metrics = new Metrics({ namespace: config.service, serviceName: config.service });
