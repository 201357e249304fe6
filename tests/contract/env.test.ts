import { describe, expect, it } from 'vitest';
import { booleanFlag, EnvironmentError, parseEnv, positiveInteger, requiredString } from '#shared/env.js';

const spec = { GLUE_JOB_NAME: requiredString, BATCH: positiveInteger(), CAPTURE_IP: booleanFlag(false) };

describe('parseEnv', () => {
  it('parses every variable once', () => {
    expect(parseEnv(spec, { GLUE_JOB_NAME: 'job', BATCH: '10', CAPTURE_IP: 'true' })).toEqual({
      GLUE_JOB_NAME: 'job',
      BATCH: 10,
      CAPTURE_IP: true,
    });
  });

  it('names every missing or malformed variable in one error', () => {
    expect(() => parseEnv(spec, { BATCH: '1.5', CAPTURE_IP: 'yes' })).toThrowError(
      new EnvironmentError(
        'Invalid environment: GLUE_JOB_NAME is missing; BATCH must be a positive integer, got "1.5"; CAPTURE_IP must be true or false, got "yes"',
      ),
    );
  });
});
