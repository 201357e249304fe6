// Athena adapter for the StartQuery port: one workgroup and database per adapter.
import { type AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { StartQuery } from '../ports.js';

export class MissingQueryExecutionId extends Error {
  override readonly name = 'MissingQueryExecutionId';
}

export interface AthenaTarget {
  workgroup: string;
  database: string;
}

export const makeStartQuery =
  (athena: AthenaClient, target: AthenaTarget): StartQuery =>
  async (request) => {
    const reuse = request.resultReuseMaxAgeMinutes;
    const { QueryExecutionId } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: request.queryString,
        QueryExecutionContext: { Database: target.database },
        WorkGroup: target.workgroup,
        ResultConfiguration: { OutputLocation: request.outputLocation },
        ClientRequestToken: request.clientRequestToken,
        ...(request.executionParameters ? { ExecutionParameters: [...request.executionParameters] } : {}),
        ...(reuse === undefined
          ? {}
          : { ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: reuse } } }),
      }),
    );
    if (!QueryExecutionId) throw new MissingQueryExecutionId('StartQueryExecution returned no QueryExecutionId');
    return QueryExecutionId;
  };
