// Errors of the local Glue job, named exactly like the Glue API's so a caller (start-parquet-job,
// its retries and tests) cannot tell the local job from the cloud one.

/** MaxConcurrentRuns reached: a run of the job is still in flight. */
export class ConcurrentRunsExceededException extends Error {
  override name = 'ConcurrentRunsExceededException';
}

/** StartJobRun arguments the job cannot run with. */
export class InvalidInputException extends Error {
  override name = 'InvalidInputException';
}

/** No job of that name. */
export class EntityNotFoundException extends Error {
  override name = 'EntityNotFoundException';
}

/** A run that started but could not finish (bad raw data, missing object, a failed write). */
export class JobRunFailed extends Error {
  override name = 'JobRunFailed';
}
