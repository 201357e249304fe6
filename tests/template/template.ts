// Runs `serverless package` (offline) once per distinct set of stack inputs and loads the generated
// CloudFormation template. Test files run in parallel workers: a flock serialises them, and the first
// one packages into a temp dir keyed by a fingerprint of the inputs that the others then reuse.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';

export const stage = 'test';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Resource {
  Type: string;
  Properties?: JsonObject;
  DependsOn?: string | string[];
  Condition?: string;
  [key: string]: Json | undefined;
}

export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, JsonObject>;
  Conditions?: JsonObject;
  Parameters?: JsonObject;
}

/** Files whose content shapes the template (function source only changes code hashes). */
const inputRoots = ['serverless.yml', 'package.json', 'shared/pipeline.json', 'infra', 'glue', 'reports'];

function listFiles(relative: string): string[] {
  const absolute = path.join(repoRoot, relative);
  if (!existsSync(absolute)) return [];
  if (statSync(absolute).isFile()) return [relative];
  return readdirSync(absolute)
    .sort()
    .flatMap((name) => listFiles(path.join(relative, name)));
}

function inputsFingerprint(env: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256').update(JSON.stringify(env));
  for (const file of inputRoots.flatMap(listFiles)) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(repoRoot, file)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const cached = new Map<string, { template: Template; packageDir: string }>();

/**
 * The packaged stack for stage `test`: `{ template, packageDir }`; `env` are deploy-time settings
 * (e.g. EVENTLAKE_QUICKSIGHT_PRINCIPAL_ARN) it is packaged with, part of the cache key.
 */
export function packagedStack(env: Readonly<Record<string, string>> = {}): { template: Template; packageDir: string } {
  const key = JSON.stringify(env);
  const hit = cached.get(key);
  if (hit) return hit;
  // Per checkout and settings: worktrees of the same repository, and the variants of one, package (and
  // clean up) without touching each other's templates.
  const checkout = createHash('sha256').update(repoRoot).digest('hex').slice(0, 8);
  const variant = key === '{}' ? 'default' : createHash('sha256').update(key).digest('hex').slice(0, 8);
  const cacheBase = path.join(tmpdir(), `eventlake-template-${checkout}-${variant}`);
  const packageDir = `${cacheBase}-${inputsFingerprint(env)}`;
  const templateFile = path.join(packageDir, 'cloudformation-template-update-stack.json');
  // Under the lock: package only if no earlier worker (or run) produced this fingerprint's template,
  // then drop the templates of earlier fingerprints.
  const script = [
    `test -f "$1" || npx serverless package --stage ${stage} --package "$2"`,
    `for old in "$3"-*; do [ "$old" = "$2" ] || rm -rf "$old"; done`,
  ].join(' && ');
  execFileSync('flock', [`${cacheBase}.lock`, 'sh', '-c', script, 'sh', templateFile, packageDir, cacheBase], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 400_000,
  });
  const packaged = { template: JSON.parse(readFileSync(templateFile, 'utf8')) as Template, packageDir };
  cached.set(key, packaged);
  return packaged;
}

export const template = (): Template => packagedStack().template;

/** `custom` of the packaged service with every variable resolved (from serverless-state.json). */
// biome-ignore lint/suspicious/noExplicitAny: resolved serverless config, asserted on
export function packagedCustom(): any {
  const state = JSON.parse(readFileSync(path.join(packagedStack().packageDir, 'serverless-state.json'), 'utf8'));
  return state.service.custom;
}

/** Logical ids of every resource of a type. */
export const resourcesOfType = (t: Template, type: string): [string, Resource][] =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

export function resource(t: Template, logicalId: string): Resource {
  const found = t.Resources[logicalId];
  if (!found) throw new Error(`${logicalId} is not in the template`);
  return found;
}

/** Properties of a resource, as a loosely typed object for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON is asserted on, not computed with
export const props = (t: Template, logicalId: string): any => resource(t, logicalId).Properties ?? {};
