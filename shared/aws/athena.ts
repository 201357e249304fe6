// Athena adapters: StartQuery (one workgroup and database per adapter), and GetQueryExecution and
// StartQueryExecution for re-running a query exactly as it ran.
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  type QueryExecutionStatistics,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { GetQueryExecution, StartQuery, StartQueryExecution } from '../ports.js';

export class MissingQueryExecutionId extends Error {
  override readonly name = 'MissingQueryExecutionId';
}

export interface AthenaTarget {
  workgroup: string;
  database: string;
}

const resultConfiguration = (outputLocation: string | undefined) =>
  outputLocation === undefined ? {} : { ResultConfiguration: { OutputLocation: outputLocation } };

export const makeStartQuery =
  (athena: AthenaClient, target: AthenaTarget): StartQuery =>
  async (request) => {
    const reuse = request.resultReuseMaxAgeMinutes;
    const { QueryExecutionId } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: request.queryString,
        QueryExecutionContext: { Database: target.database },
        WorkGroup: target.workgroup,
        // None when the workgroup enforces its result location: Athena disables reuse for a query
        // that overrides the result configuration.
        ...resultConfiguration(request.outputLocation),
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

export class MissingQueryExecution extends Error {
  override readonly name = 'MissingQueryExecution';
}

const statistics = (s: QueryExecutionStatistics) => ({
  ...(s.DataScannedInBytes === undefined ? {} : { DataScannedInBytes: s.DataScannedInBytes }),
  ...(s.EngineExecutionTimeInMillis === undefined
    ? {}
    : { EngineExecutionTimeInMillis: s.EngineExecutionTimeInMillis }),
  ...(s.ResultReuseInformation
    ? { ResultReuseInformation: { ReusedPreviousResult: s.ResultReuseInformation.ReusedPreviousResult === true } }
    : {}),
});

/** GetQueryExecution; the fields of QueryExecution the GetQueryExecution port promises. */
export const makeGetQueryExecution =
  (athena: AthenaClient): GetQueryExecution =>
  async (queryExecutionId) => {
    const { QueryExecution: q } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }),
    );
    if (!q?.QueryExecutionId || q.Query === undefined || !q.WorkGroup || !q.Status?.State) {
      throw new MissingQueryExecution(`GetQueryExecution ${queryExecutionId} returned no execution`);
    }
    const { State, StateChangeReason, AthenaError } = q.Status;
    return {
      QueryExecutionId: q.QueryExecutionId,
      Query: q.Query,
      WorkGroup: q.WorkGroup,
      ...(q.QueryExecutionContext ? { QueryExecutionContext: { ...q.QueryExecutionContext } } : {}),
      ...(q.ResultConfiguration
        ? { ResultConfiguration: { OutputLocation: q.ResultConfiguration.OutputLocation } }
        : {}),
      ...(q.ExecutionParameters ? { ExecutionParameters: [...q.ExecutionParameters] } : {}),
      ...(q.Statistics ? { Statistics: statistics(q.Statistics) } : {}),
      Status: {
        State,
        ...(StateChangeReason === undefined ? {} : { StateChangeReason }),
        ...(AthenaError ? { AthenaError: { ...AthenaError } } : {}),
      },
    };
  };

/** StartQueryExecution with the workgroup and context the request names (no result reuse). */
export const makeStartQueryExecution =
  (athena: AthenaClient): StartQueryExecution =>
  async (request) => {
    const context = {
      ...(request.database === undefined ? {} : { Database: request.database }),
      ...(request.catalog === undefined ? {} : { Catalog: request.catalog }),
    };
    const { QueryExecutionId } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: request.queryString,
        QueryExecutionContext: context,
        WorkGroup: request.workgroup,
        ...resultConfiguration(request.outputLocation),
        ClientRequestToken: request.clientRequestToken,
        ...(request.executionParameters ? { ExecutionParameters: [...request.executionParameters] } : {}),
      }),
    );
    if (!QueryExecutionId) throw new MissingQueryExecutionId('StartQueryExecution returned no QueryExecutionId');
    return QueryExecutionId;
  };
