import { APIGatewayClient, GetApiKeyCommand, NotFoundException } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLookupKeyName } from '#shared/aws/api-gateway.js';
import { appFromKeyName, keyNameAppResolver, localAppResolver } from '#shared/ingest/apps.js';
import { DependencyUnavailable } from '#shared/ingest/errors.js';

const apiGatewayMock = mockClient(APIGatewayClient);
afterEach(() => apiGatewayMock.reset());
const identity = (apiKeyId: string | null, apiKey: string | null = null) => ({ apiKeyId, apiKey });

describe('app identity from the API key', () => {
  it('reads the app id from the key name after the stage prefix', () => {
    expect(appFromKeyName('eventlake-prod-shop-web', 'eventlake-prod-')).toBe('shop-web');
    expect(appFromKeyName('eventlake-dev-shop-web', 'eventlake-prod-')).toBeUndefined();
    expect(appFromKeyName('eventlake-prod-', 'eventlake-prod-')).toBeUndefined();
    expect(appFromKeyName('eventlake-prod-bad name', 'eventlake-prod-')).toBeUndefined();
  });

  it('looks a key up once per container with GetApiKey, without its value', async () => {
    apiGatewayMock.on(GetApiKeyCommand).resolves({ id: 'k1', name: 'eventlake-prod-shop-web', enabled: true });
    const resolve = keyNameAppResolver(makeLookupKeyName(new APIGatewayClient({ region: 'eu-west-1' })), {
      namePrefix: 'eventlake-prod-',
    });
    expect(await resolve(identity('k1'))).toBe('shop-web');
    expect(await resolve(identity('k1'))).toBe('shop-web');
    expect(apiGatewayMock.commandCalls(GetApiKeyCommand).map((c) => c.args[0].input)).toEqual([
      { apiKey: 'k1', includeValue: false },
    ]);
  });

  it('remembers a key of no app for a while, and treats a deleted key as no app', async () => {
    let now = 0;
    const names = new Map([['k2', 'someone-elses-key']]);
    let lookups = 0;
    const resolve = keyNameAppResolver(
      async (id) => {
        lookups += 1;
        return names.get(id);
      },
      { namePrefix: 'eventlake-prod-', negativeTtlMs: 1_000, now: () => now },
    );
    expect(await resolve(identity('k2'))).toBeUndefined();
    expect(await resolve(identity('k2'))).toBeUndefined();
    expect(lookups).toBe(1);
    now = 1_001;
    names.set('k2', 'eventlake-prod-kiosk');
    expect(await resolve(identity('k2'))).toBe('kiosk');
    expect(await resolve(identity(null))).toBeUndefined();

    apiGatewayMock.on(GetApiKeyCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    expect(await makeLookupKeyName(new APIGatewayClient({ region: 'eu-west-1' }))('k9')).toBeUndefined();
  });

  it('turns a failed lookup into DependencyUnavailable and does not cache it', async () => {
    let fail = true;
    const resolve = keyNameAppResolver(
      async () => {
        if (fail) throw new Error('TooManyRequestsException');
        return 'eventlake-prod-shop-web';
      },
      { namePrefix: 'eventlake-prod-' },
    );
    await expect(resolve(identity('k3'))).rejects.toBeInstanceOf(DependencyUnavailable);
    fail = false;
    expect(await resolve(identity('k3'))).toBe('shop-web');
  });

  it('maps local keys by value', async () => {
    const resolve = localAppResolver({ 'local-key': 'demo-app' });
    expect(await resolve(identity(null, 'local-key'))).toBe('demo-app');
    expect(await resolve(identity(null, 'other'))).toBeUndefined();
    expect(await resolve(identity(null, 'constructor'))).toBeUndefined();
  });
});
