// Which AWS errors are worth another SQS delivery. Classified by `error.name` only, so the local
// runtime's Glue/Athena (which throw plain errors with the same names) are recognised too.

const retryableGlueErrors = new Set([
  'ConcurrentRunsExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalServiceException',
  'OperationTimeoutException',
]);

const retryableAthenaErrors = new Set(['TooManyRequestsException', 'ThrottlingException', 'InternalServerException']);

const errorName = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string'
    ? error.name
    : undefined;

export const isRetryableGlueError = (error: unknown): boolean => retryableGlueErrors.has(errorName(error) ?? '');

export const isRetryableAthenaError = (error: unknown): boolean => retryableAthenaErrors.has(errorName(error) ?? '');

/**
 * A transient failure (throttle, concurrency limit): the message is reported as a batch item
 * failure and SQS delivers it again after the visibility timeout.
 */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(operation: string, cause: unknown) {
    super(`${operation} failed transiently (${errorName(cause) ?? 'unknown error'}); will retry`, { cause });
  }
}

/**
 * A failure another delivery will not fix by itself (missing job, invalid input): the message still
 * fails, so after maxReceiveCount it lands in the DLQ where it can be inspected and redriven.
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
  constructor(operation: string, cause: unknown) {
    super(`${operation} failed (${errorName(cause) ?? 'unknown error'})`, { cause });
  }
}

/** Wraps `error` in RetryLater or PermanentFailure according to `isRetryable`. */
export const classifyFailure = (
  operation: string,
  error: unknown,
  isRetryable: (error: unknown) => boolean,
): RetryLater | PermanentFailure =>
  isRetryable(error) ? new RetryLater(operation, error) : new PermanentFailure(operation, error);
