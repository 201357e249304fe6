// Loads one packaged Lambda bundle and invokes its handler with one events/ sample, as the Lambda
// runtime would (offline: no AWS credentials anywhere). Prints the result, or the error the runtime
// would report ({ errorType, errorMessage }), as one JSON line. Args: <bundle.cjs> <event.json>.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [bundle, eventFile] = process.argv.slice(2);
const { handler } = createRequire(import.meta.url)(bundle);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: '256',
  awsRequestId: 'offline-request',
  logGroupName: 'offline',
  logStreamName: 'offline',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
};
try {
  const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);
  process.stdout.write(`\n${JSON.stringify({ result })}\n`);
} catch (error) {
  process.stdout.write(`\n${JSON.stringify({ errorType: error.name, errorMessage: error.message })}\n`);
}
