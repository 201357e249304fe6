// The ingest λ parses its environment at import, as in Lambda; set it before functions/ingest.ts loads.
process.env.DELIVERY_STREAM_NAME = 'eventlake-test-direct';
process.env.API_KEY_NAME_PREFIX = 'eventlake-test-';
process.env.USAGE_PLAN_NAME = 'eventlake-test';
process.env.AWS_REGION ??= 'eu-west-1';
