// CloudFormation intrinsic functions, statically: which logical ids a value references, how
// conditions evaluate, what a template looks like once Fn::If is decided, and dependency cycles.
import type { Json, JsonObject, Resource, Template } from './template.js';

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ Ref }` / `{ Fn::… }` — one key, an intrinsic name. */
export const intrinsicName = (value: unknown): string | undefined => {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::')) ? key : undefined;
};

export interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub';
  target: string;
  attribute?: string;
}

/** `${Name}` / `${Name.Attr}` placeholders of a Fn::Sub string, without `${!literal}` escapes. */
export function subPlaceholders(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1] as string);
}

/** Every Ref, Fn::GetAtt and Fn::Sub placeholder inside a value. */
export function references(value: Json | undefined): Reference[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (!isObject(value)) return [];
  const name = intrinsicName(value);
  if (name === 'Ref') return [{ kind: 'Ref', target: String(value.Ref) }];
  if (name === 'Fn::GetAtt') {
    const spec = value['Fn::GetAtt'];
    const [target, ...attribute] = Array.isArray(spec) ? spec.map(String) : String(spec).split('.');
    return [{ kind: 'GetAtt', target: target as string, attribute: attribute.join('.') }];
  }
  if (name === 'Fn::Sub') {
    const spec = value['Fn::Sub'];
    const [text, variables] = Array.isArray(spec) ? spec : [spec, {}];
    const local = isObject(variables) ? variables : {};
    const own = subPlaceholders(String(text))
      .filter((placeholder) => !(placeholder in local))
      .map((placeholder): Reference => {
        const [target, ...attribute] = placeholder.split('.');
        return { kind: 'Sub', target: target as string, attribute: attribute.join('.') || undefined };
      });
    return [...own, ...Object.values(local).flatMap(references)];
  }
  return Object.values(value).flatMap(references);
}

export const pseudoParameters = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Logical ids a resource depends on: references in its properties plus DependsOn. */
export function dependencies(resource: Resource): Set<string> {
  const ids = references(resource.Properties ?? {})
    .map((r) => r.target)
    .filter((target) => !pseudoParameters.has(target));
  const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
  return new Set([...ids, ...dependsOn]);
}

/** Every dependency cycle among resources, each as the list of ids around it. */
export function dependencyCycles(resources: Record<string, Resource>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done' || !resources[id]) return;
    if (state.get(id) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(id)), id]);
      return;
    }
    state.set(id, 'visiting');
    for (const next of dependencies(resources[id])) visit(next, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of Object.keys(resources)) visit(id, []);
  return cycles;
}

/** Evaluates a condition expression against already-known condition values. */
export function evaluateCondition(expression: Json, conditions: Record<string, boolean>): boolean {
  if (!isObject(expression)) throw new Error(`not a condition: ${JSON.stringify(expression)}`);
  const [[name, args]] = Object.entries(expression) as [[string, Json]];
  const list = Array.isArray(args) ? args : [args];
  switch (name) {
    case 'Fn::Not':
      return !evaluateCondition(list[0] as Json, conditions);
    case 'Fn::And':
      return list.every((c) => evaluateCondition(c, conditions));
    case 'Fn::Or':
      return list.some((c) => evaluateCondition(c, conditions));
    case 'Fn::Equals':
      return JSON.stringify(list[0]) === JSON.stringify(list[1]);
    case 'Condition': {
      const known = conditions[String(args)];
      if (known === undefined) throw new Error(`condition ${String(args)} used before it is defined`);
      return known;
    }
    default:
      throw new Error(`cannot evaluate ${name} statically`);
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

function decide(value: Json, conditions: Record<string, boolean>): Json | typeof NO_VALUE {
  if (Array.isArray(value)) {
    return value.map((v) => decide(v, conditions)).filter((v): v is Json => v !== NO_VALUE);
  }
  if (!isObject(value)) return value;
  if (intrinsicName(value) === 'Ref' && value.Ref === 'AWS::NoValue') return NO_VALUE;
  if (intrinsicName(value) === 'Fn::If') {
    const [condition, whenTrue, whenFalse] = value['Fn::If'] as [string, Json, Json];
    const known = conditions[condition];
    if (known === undefined) throw new Error(`unknown condition ${condition}`);
    return decide(known ? whenTrue : whenFalse, conditions);
  }
  const entries = Object.entries(value)
    .map(([k, v]) => [k, decide(v, conditions)] as const)
    .filter((entry): entry is readonly [string, Json] => entry[1] !== NO_VALUE);
  return Object.fromEntries(entries);
}

/** The template as CloudFormation would deploy it with these condition values (defaults: as packaged). */
export function resolveConditions(template: Template, overrides: Record<string, boolean> = {}): Template {
  const conditions: Record<string, boolean> = {};
  for (const [name, expression] of Object.entries(template.Conditions ?? {})) {
    conditions[name] = overrides[name] ?? evaluateCondition(expression, conditions);
  }
  const resources = Object.entries(template.Resources)
    .filter(([, r]) => r.Condition === undefined || conditions[r.Condition])
    .map(([id, r]) => [id, decide(r as unknown as Json, conditions) as unknown as Resource] as const);
  return { ...template, Resources: Object.fromEntries(resources) };
}
