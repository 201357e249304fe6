// Which app a request comes from, decided by its API key and never by the body. Cloud: the key's
// name (`<service>-<stage>-<app_id>`) as this stage's usage plan knows it, looked up once per key and
// container (shared/aws/api-gateway.ts). Local: a key → app map.
import type { APIGatewayEventIdentity } from 'aws-lambda';
import { DependencyUnavailable } from './errors.js';

/** The app id of the calling key, or undefined when the key belongs to no app. */
export type ResolveApp = (
  identity: Pick<APIGatewayEventIdentity, 'apiKey' | 'apiKeyId'>,
) => Promise<string | undefined>;

/** An API key's name by its id, from this stage's usage plan; undefined when the key is not on it. */
export type LookupKeyName = (apiKeyId: string) => Promise<string | undefined>;

/** Local runtime and tests: the key value sent in x-api-key → app id. */
export const localAppResolver =
  (keys: Readonly<Record<string, string>>): ResolveApp =>
  async (identity) =>
    identity.apiKey !== null && Object.hasOwn(keys, identity.apiKey) ? keys[identity.apiKey] : undefined;

export interface KeyNameResolverOptions {
  /** Key names start with it, e.g. `eventlake-prod-`; the rest of the name is the app id. */
  namePrefix: string;
  /** How long a key that maps to no app stays unknown before it is looked up again. */
  negativeTtlMs?: number;
  now?: () => number;
}

const APP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Resolves by key name, caching each key's app for the life of the container. */
export function keyNameAppResolver(lookup: LookupKeyName, options: KeyNameResolverOptions): ResolveApp {
  const known = new Map<string, string>();
  const unknownUntil = new Map<string, number>();
  const now = options.now ?? Date.now;
  return async (identity) => {
    const id = identity.apiKeyId;
    if (id === null || id === '') return undefined;
    const cached = known.get(id);
    if (cached !== undefined) return cached;
    if ((unknownUntil.get(id) ?? 0) > now()) return undefined;
    const app = appFromKeyName(await lookupOrUnavailable(lookup, id), options.namePrefix);
    if (app === undefined) unknownUntil.set(id, now() + (options.negativeTtlMs ?? 60_000));
    else known.set(id, app);
    return app;
  };
}

export function appFromKeyName(name: string | undefined, prefix: string): string | undefined {
  if (name === undefined || !name.startsWith(prefix)) return undefined;
  const app = name.slice(prefix.length);
  return APP_ID.test(app) ? app : undefined;
}

async function lookupOrUnavailable(lookup: LookupKeyName, apiKeyId: string): Promise<string | undefined> {
  try {
    return await lookup(apiKeyId);
  } catch (error) {
    // No credentials at all (e.g. `serverless invoke local` on a machine without AWS credentials) is
    // not a passing outage: say so rather than "retry shortly". The SDK names the error itself.
    if ((error as Error | undefined)?.name === 'CredentialsProviderError') {
      throw new DependencyUnavailable('no AWS credentials: the API key could not be checked (configure credentials)');
    }
    throw new DependencyUnavailable('the API key could not be checked; retry shortly');
  }
}
