// The first ten minutes of a new clone: `npm ci` must accept the lockfile with the npm these
// machines have, and everything must run on the Lambda runtime's Node major (22).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../template/paths.js';

interface LockEntry {
  version?: string;
  link?: boolean;
  optional?: boolean;
}

const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

/** Lock entries npm cannot install: a package folder with no version (a stub of another platform's optional package). */
function uninstallableLockEntries(packages: Record<string, LockEntry>): string[] {
  return Object.entries(packages)
    .filter(([key, entry]) => key !== '' && entry.link !== true && typeof entry.version !== 'string')
    .map(([key]) => key);
}

describe('package-lock.json', () => {
  it('is a v3 lockfile', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it('holds no entry npm ci refuses (every package has a version)', () => {
    const bad = uninstallableLockEntries(lock.packages);
    expect(
      bad,
      `package-lock.json has entries without a version, which npm ci refuses ("Invalid Version"): ${bad.join(', ')}. ` +
        'Regenerate the lock from scratch: rm -rf node_modules package-lock.json && npm install (README, "Adding a dependency").',
    ).toEqual([]);
  });

  it('flags a version-less stub entry', () => {
    expect(
      uninstallableLockEntries({
        '': {},
        'node_modules/x': { optional: true },
        'node_modules/y': { version: '1.0.0' },
      }),
    ).toEqual(['node_modules/x']);
  });

  it('pins the Node 22 runtime package and allows only its install script', () => {
    expect(manifest.devDependencies.node).toMatch(/^22\./);
    expect(lock.packages['node_modules/node']?.version).toBe(manifest.devDependencies.node);
    expect(
      Object.entries(manifest.allowScripts)
        .filter(([, allowed]) => allowed)
        .map(([name]) => name),
    ).toEqual(['node']);
  });
});

describe('runtime', () => {
  it('runs the tests on Node 22, the Lambda runtime (nodejs22.x)', () => {
    expect(process.versions.node.split('.')[0]).toBe('22');
  });
});
