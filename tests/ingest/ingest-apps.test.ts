import {
  APIGatewayClient,
  GetApiKeyCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlansCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
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

  const client = () => new APIGatewayClient({ region: 'eu-west-1' });
  const notFound = () =>
    new NotFoundException({ message: 'Invalid Usage Plan Key identifier specified', $metadata: {} });
  const plans = (...items: { id: string; name: string }[]) => ({ items });

  it('finds the key on this stage’s usage plan, never with GetApiKey, once per key and container', async () => {
    apiGatewayMock
      .on(GetUsagePlansCommand)
      .resolves(plans({ id: 'other', name: 'eventlake-dev' }, { id: 'up1', name: 'eventlake-prod' }));
    apiGatewayMock
      .on(GetUsagePlanKeyCommand, { usagePlanId: 'up1', keyId: 'k1' })
      .resolves({ id: 'k1', type: 'API_KEY', name: 'eventlake-prod-shop-web' })
      .on(GetUsagePlanKeyCommand, { usagePlanId: 'up1', keyId: 'k2' })
      .resolves({ id: 'k2', type: 'API_KEY', name: 'eventlake-prod-kiosk' });
    const resolve = keyNameAppResolver(makeLookupKeyName(client(), 'eventlake-prod'), {
      namePrefix: 'eventlake-prod-',
    });
    expect(await resolve(identity('k1'))).toBe('shop-web');
    expect(await resolve(identity('k1'))).toBe('shop-web');
    expect(await resolve(identity('k2'))).toBe('kiosk');
    // The plan is found once (by the first key), then every key is read on it.
    expect(apiGatewayMock.commandCalls(GetUsagePlansCommand).map((c) => c.args[0].input)).toEqual([
      { keyId: 'k1', position: undefined },
    ]);
    expect(apiGatewayMock.commandCalls(GetUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'up1', keyId: 'k1' },
      { usagePlanId: 'up1', keyId: 'k2' },
    ]);
    expect(apiGatewayMock.commandCalls(GetApiKeyCommand)).toHaveLength(0);
  });

  it('pages through the key’s plans, and a key on no plan of this stage is no app', async () => {
    apiGatewayMock
      .on(GetUsagePlansCommand, { keyId: 'k1', position: undefined })
      .resolves({ items: [{ id: 'a', name: 'someone-else' }], position: 'p2' })
      .on(GetUsagePlansCommand, { keyId: 'k1', position: 'p2' })
      .resolves(plans({ id: 'up1', name: 'eventlake-prod' }))
      .on(GetUsagePlansCommand, { keyId: 'foreign' })
      .resolves(plans({ id: 'b', name: 'other-stack' }));
    apiGatewayMock.on(GetUsagePlanKeyCommand).resolves({ id: 'k1', name: 'eventlake-prod-shop-web' });
    const lookup = makeLookupKeyName(client(), 'eventlake-prod');
    expect(await lookup('foreign')).toBeUndefined();
    expect(apiGatewayMock.commandCalls(GetUsagePlanKeyCommand)).toHaveLength(0);
    expect(await lookup('k1')).toBe('eventlake-prod-shop-web');
  });

  it('looks the plan up again when the known plan no longer has the key (plan replaced, or key foreign)', async () => {
    let currentPlan = 'old';
    const keysOn: Record<string, Record<string, string>> = {
      old: { k1: 'eventlake-prod-shop-web' },
      new: { k1: 'eventlake-prod-shop-web', k2: 'eventlake-prod-kiosk' },
    };
    apiGatewayMock.on(GetUsagePlansCommand).callsFake(async () => plans({ id: currentPlan, name: 'eventlake-prod' }));
    apiGatewayMock.on(GetUsagePlanKeyCommand).callsFake(async ({ usagePlanId, keyId }) => {
      const name = keysOn[usagePlanId]?.[keyId];
      if (name === undefined) throw notFound();
      return { id: keyId, name };
    });
    const lookup = makeLookupKeyName(client(), 'eventlake-prod');
    expect(await lookup('k1')).toBe('eventlake-prod-shop-web');
    currentPlan = 'new';
    expect(await lookup('k2')).toBe('eventlake-prod-kiosk');
    expect(apiGatewayMock.commandCalls(GetUsagePlanKeyCommand).map((c) => c.args[0].input.usagePlanId)).toEqual([
      'old',
      'old',
      'new',
    ]);
  });

  it('passes other errors on, so the resolver answers DependencyUnavailable', async () => {
    apiGatewayMock.on(GetUsagePlansCommand).rejects(new Error('TooManyRequestsException'));
    const resolve = keyNameAppResolver(makeLookupKeyName(client(), 'eventlake-prod'), {
      namePrefix: 'eventlake-prod-',
    });
    await expect(resolve(identity('k1'))).rejects.toBeInstanceOf(DependencyUnavailable);
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

    apiGatewayMock.on(GetUsagePlansCommand).resolves(plans({ id: 'up1', name: 'eventlake-prod' }));
    apiGatewayMock.on(GetUsagePlanKeyCommand).rejects(notFound());
    expect(await makeLookupKeyName(client(), 'eventlake-prod')('k9')).toBeUndefined();
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

  it('names missing AWS credentials as the cause, instead of "retry shortly"', async () => {
    // What the SDK throws when no provider finds credentials (serverless invoke local, offline).
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    apiGatewayMock.on(GetUsagePlansCommand).rejects(noCredentials);
    const lookup = makeLookupKeyName(new APIGatewayClient({ region: 'eu-west-1' }), 'eventlake-prod');
    const resolve = keyNameAppResolver(lookup, { namePrefix: 'eventlake-prod-' });
    const failure = resolve(identity('k4'));
    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(failure).rejects.toThrow('no AWS credentials');
  });

  it('maps local keys by value', async () => {
    const resolve = localAppResolver({ 'local-key': 'demo-app' });
    expect(await resolve(identity(null, 'local-key'))).toBe('demo-app');
    expect(await resolve(identity(null, 'other'))).toBeUndefined();
    expect(await resolve(identity(null, 'constructor'))).toBeUndefined();
  });
});
