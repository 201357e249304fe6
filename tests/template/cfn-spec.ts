// Validates resources against the CloudFormation resource specification shipped in
// @aws-cdk/aws-service-spec (db.json.gz: resources with their properties and attributes, property
// types by id). Unknown types, unknown properties and missing required ones are errors, recursively
// through nested property types. Values hidden behind intrinsics are accepted as CloudFormation
// would at validation time; both branches of Fn::If are checked.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { intrinsicName, isObject } from './intrinsics.js';
import type { Json, Resource } from './template.js';

type SpecType =
  | { type: 'string' | 'integer' | 'number' | 'boolean' | 'json' | 'date-time' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };

interface SpecProperty {
  type: SpecType;
  required?: boolean;
  previousTypes?: SpecType[];
}

type SpecProperties = Record<string, SpecProperty>;

interface SpecResource {
  cloudFormationType: string;
  properties: SpecProperties;
  attributes: Record<string, unknown>;
}

interface SpecDb {
  schema: {
    resource: { entities: SpecResource[] };
    typeDefinition: { entities: { $id: string; name: string; properties: SpecProperties }[] };
  };
}

export interface CfnSpec {
  resource(type: string): SpecResource | undefined;
  typeProperties(id: string): { name: string; properties: SpecProperties };
}

let loaded: CfnSpec | undefined;

/** The spec database, read once per worker (~2.6 MB gzipped). */
export function cfnSpec(): CfnSpec {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('@aws-cdk/aws-service-spec/package.json'));
  const db = JSON.parse(gunzipSync(readFileSync(path.join(packageDir, 'db.json.gz'))).toString('utf8')) as SpecDb;
  const resources = new Map(db.schema.resource.entities.map((r) => [r.cloudFormationType, r]));
  const types = new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t]));
  loaded = {
    resource: (type) => resources.get(type),
    typeProperties: (id) => {
      const found = types.get(id);
      if (!found) throw new Error(`spec type ${id} missing`);
      return found;
    },
  };
  return loaded;
}

const resourceAttributes = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Metadata',
]);

const isNoValue = (value: Json): boolean => isObject(value) && value.Ref === 'AWS::NoValue';

/** Errors for one value against one spec type; `where` is the property path for messages. */
function checkValue(spec: CfnSpec, type: SpecType, value: Json, where: string): string[] {
  const intrinsic = intrinsicName(value);
  if (intrinsic === 'Fn::If' && isObject(value)) {
    const [, whenTrue, whenFalse] = value['Fn::If'] as Json[];
    return [whenTrue, whenFalse]
      .filter((branch): branch is Json => branch !== undefined && !isNoValue(branch))
      .flatMap((branch) => checkValue(spec, type, branch, where));
  }
  // Ref, GetAtt, Join, Sub…: the value is only known at deploy time.
  if (intrinsic) return [];
  switch (type.type) {
    case 'string':
    case 'date-time':
      // CloudFormation coerces scalars to strings.
      return ['string', 'number', 'boolean'].includes(typeof value) ? [] : [`${where}: expected a string`];
    case 'integer':
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(+value))
        ? []
        : [`${where}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? []
        : [`${where}: expected a boolean`];
    case 'json':
      return isObject(value) || typeof value === 'string' ? [] : [`${where}: expected a JSON object`];
    case 'tag':
      return checkProperties(spec, tagProperties, value, where);
    case 'array':
      if (!Array.isArray(value)) return [`${where}: expected a list`];
      return value.flatMap((element, i) => checkValue(spec, type.element, element, `${where}[${i}]`));
    case 'map':
      if (!isObject(value)) return [`${where}: expected a map`];
      return Object.entries(value).flatMap(([k, v]) => checkValue(spec, type.element, v, `${where}.${k}`));
    case 'union': {
      const attempts = type.types.map((t) => checkValue(spec, t, value, where));
      return attempts.some((errors) => errors.length === 0) ? [] : (attempts[0] ?? []);
    }
    case 'ref': {
      const { name, properties } = spec.typeProperties(type.reference.$ref);
      return checkProperties(spec, properties, value, `${where}<${name}>`);
    }
  }
}

const tagProperties: SpecProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

function checkProperty(spec: CfnSpec, property: SpecProperty, value: Json, where: string): string[] {
  const errors = checkValue(spec, property.type, value, where);
  if (errors.length === 0) return [];
  const legacy = (property.previousTypes ?? []).some((t) => checkValue(spec, t, value, where).length === 0);
  return legacy ? [] : errors;
}

function checkProperties(spec: CfnSpec, properties: SpecProperties, value: Json, where: string): string[] {
  if (!isObject(value)) return [`${where}: expected an object`];
  const unknown = Object.keys(value)
    .filter((key) => !(key in properties))
    .map((key) => `${where}.${key}: unknown property`);
  const missing = Object.entries(properties)
    .filter(([key, p]) => p.required && !(key in value))
    .map(([key]) => `${where}.${key}: required property missing`);
  const invalid = Object.entries(value)
    .filter(([key]) => key in properties)
    .flatMap(([key, v]) => checkProperty(spec, properties[key] as SpecProperty, v, `${where}.${key}`));
  return [...unknown, ...missing, ...invalid];
}

/** Every spec violation of one resource, as readable strings (empty when valid). */
export function validateResource(spec: CfnSpec, logicalId: string, resource: Resource): string[] {
  const definition = spec.resource(resource.Type);
  if (!definition) return [`${logicalId}: unknown resource type ${resource.Type}`];
  const badKeys = Object.keys(resource)
    .filter((key) => !resourceAttributes.has(key))
    .map((key) => `${logicalId}.${key}: not a resource attribute`);
  return [...badKeys, ...checkProperties(spec, definition.properties, resource.Properties ?? {}, logicalId)];
}

/** Whether `Fn::GetAtt [logicalId, attribute]` names an attribute the resource type has. */
export function hasAttribute(spec: CfnSpec, type: string, attribute: string): boolean {
  return attribute in (spec.resource(type)?.attributes ?? {});
}
