// What `eventlake send` says when sending cannot succeed: the cause, and what to do about it.
import { config } from '#shared/config.js';
import type { Fatal } from '#shared/ingest/client.js';

const isLocal = (endpoint: string): boolean => {
  const host = URL.canParse(endpoint) ? new URL(endpoint).hostname : '';
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
};

export function explainFatal(fatal: Fatal, endpoint: string): string {
  const url = `${endpoint}/v1/events`;
  if (fatal.kind === 'unreachable') {
    return isLocal(endpoint)
      ? `nothing listens on ${url} (${fatal.code}); start it with npm run dev (or pass --endpoint)`
      : `nothing answers at ${url} (${fatal.code}); check --endpoint (the stack's ApiUrl output)`;
  }
  const detail = fatal.message === '' ? '' : `: ${fatal.message}`;
  const refused = `the API key was refused (${fatal.status}${detail})`;
  if (!isLocal(endpoint)) return `${refused}; set EVENTLAKE_API_KEY to a key of this stage (docs/deploy.md)`;
  const names = Object.entries(config.local.apiKeys).map(([key, app]) => `${key} (${app})`);
  return `${refused}; the local API knows the keys ${names.join(', ')} (config local.apiKeys): set EVENTLAKE_API_KEY to one`;
}
