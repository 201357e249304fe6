// AWS adapter for LookupKeyName, least privilege: the key's name comes from this stage's usage plan
// (GetUsagePlanKey on /usageplans/<plan>/keys/<key>), never from GetApiKey, so the role needs no
// read access to the region's API keys. The plan id is found from its name with GetUsagePlans
// filtered by the caller's key id (plans only, no key values), then reused for the container's life.
import {
  type APIGatewayClient,
  GetUsagePlanKeyCommand,
  GetUsagePlansCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import type { LookupKeyName } from '../ingest/apps.js';

export const makeLookupKeyName = (apiGateway: APIGatewayClient, usagePlanName: string): LookupKeyName => {
  let cachedPlanId: string | undefined;

  /** This stage's plan, if the key is on it; pages through the (few) plans the key belongs to. */
  const findPlan = async (keyId: string): Promise<string | undefined> => {
    let position: string | undefined;
    do {
      const page = await apiGateway.send(new GetUsagePlansCommand({ keyId, position }));
      const plan = page.items?.find((p) => p.name === usagePlanName);
      if (plan?.id !== undefined) return plan.id;
      position = page.position;
    } while (position !== undefined);
    return undefined;
  };

  /** The key's name on the plan; undefined when the key is not on it. */
  const keyName = async (usagePlanId: string, keyId: string): Promise<string | undefined> => {
    try {
      return (await apiGateway.send(new GetUsagePlanKeyCommand({ usagePlanId, keyId }))).name;
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      throw error;
    }
  };

  return async (apiKeyId) => {
    if (cachedPlanId !== undefined) {
      const name = await keyName(cachedPlanId, apiKeyId);
      if (name !== undefined) return name;
      // Not on the plan we know: the key is foreign, or a stack update replaced the plan. Look again.
    }
    const planId = await findPlan(apiKeyId);
    if (planId === undefined) return undefined;
    cachedPlanId = planId;
    return keyName(planId, apiKeyId);
  };
};
