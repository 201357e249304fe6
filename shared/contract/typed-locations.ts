// Whether a JSON Schema leaves no place in an instance where a value goes unchecked by `type`.
// Ajv checks numbers strictly (strictNumbers, on by default in strict mode): at a typed location a
// non-finite number (`1e400` parses to Infinity) already fails validation. Only an untyped location
// (a property the schema does not close, an array without `items`) can carry one past it, so for a
// schema without such a location the transform can skip looking for one.

type Schema = boolean | Record<string, unknown>;

const isSchemaObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * True when every value an instance can hold sits at a location with a `type`, `enum` or `const`.
 * Conservative: anything it does not understand counts as untyped. Keywords that only add
 * constraints (allOf, if/then/else, $ref beside a type…) cannot open a location and are ignored.
 * `delegated` names root properties validated by another schema (the envelope's `attributes`).
 */
export function everyLocationTyped(schema: unknown, delegated: readonly string[] = []): boolean {
  if (!isSchemaObject(schema)) return schema === false;
  const properties = isSchemaObject(schema.properties) ? schema.properties : {};
  // A delegated property is checked by its own schema: here it counts as a location nothing reaches.
  const checkedElsewhere = Object.fromEntries(delegated.map((name): [string, Schema] => [name, false]));
  return typed({ ...schema, properties: { ...properties, ...checkedElsewhere } });
}

function typed(schema: unknown): boolean {
  if (!isSchemaObject(schema)) return schema === false;
  if ('const' in schema || 'enum' in schema) return true;
  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : undefined;
  if (types === undefined) return false;
  if (types.includes('object') && !objectTyped(schema)) return false;
  if (types.includes('array') && !arrayTyped(schema)) return false;
  return true;
}

function objectTyped(schema: Record<string, unknown>): boolean {
  const additional = schema.additionalProperties;
  if (additional !== false && !(isSchemaObject(additional) && typed(additional))) return false;
  const groups = [schema.properties, schema.patternProperties].filter((group) => group !== undefined);
  return groups.every((group) => isSchemaObject(group) && Object.values(group).every(typed));
}

function arrayTyped(schema: Record<string, unknown>): boolean {
  if (schema.prefixItems !== undefined) {
    if (!Array.isArray(schema.prefixItems) || !schema.prefixItems.every(typed)) return false;
    // With prefixItems, a missing `items` leaves the positions after them open.
    return schema.items === false || typed(schema.items);
  }
  return typed(schema.items);
}
