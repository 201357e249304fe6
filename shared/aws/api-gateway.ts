// AWS adapter for LookupKeyName: apigateway:GetApiKey, without the key's value.
import { type APIGatewayClient, GetApiKeyCommand, NotFoundException } from '@aws-sdk/client-api-gateway';
import type { LookupKeyName } from '../ingest/apps.js';

export const makeLookupKeyName =
  (apiGateway: APIGatewayClient): LookupKeyName =>
  async (apiKeyId) => {
    try {
      const key = await apiGateway.send(new GetApiKeyCommand({ apiKey: apiKeyId, includeValue: false }));
      return key.name;
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      throw error;
    }
  };
