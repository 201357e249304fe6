// `eventlake schema check`: each breaking change is caught, each documented compatible change passes,
// the real repository passes against its own release, and the deploy hook refuses a breaking change.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSchemaChanges } from '../../local/tools/schema/check.js';
import { curatedReports, sqlIdentifiers } from '../../local/tools/schema/report-columns.js';
import { checkRepository } from '../../local/tools/schema/schema.js';
import {
  currentSnapshot,
  type JsonSchema,
  type SchemaSnapshot,
  snapshotText,
} from '../../local/tools/schema/snapshot.js';
import { repoRoot } from '../template/paths.js';

const reports = curatedReports(path.join(repoRoot, 'reports'));
const released = (): SchemaSnapshot => structuredClone(currentSnapshot(repoRoot));
/** The current contract after `edit`, checked against the current one as released. */
function checkAfter(edit: (s: SchemaSnapshot) => void) {
  const now = released();
  edit(now);
  return checkSchemaChanges(now, released(), reports);
}
const kinds = (result: ReturnType<typeof checkAfter>) => result.problems.map((p) => p.kind);
const purchase = (s: SchemaSnapshot): JsonSchema => s.schemas['purchase/v1'] as JsonSchema;
const props = (schema: JsonSchema) => schema.properties as Record<string, Record<string, unknown>>;

describe('breaking changes fail', () => {
  it('a curated column changing type', () => {
    const result = checkAfter((s) => {
      s.columns.amount = 'string';
    });
    expect(kinds(result)).toEqual(['column_type_changed']);
    expect(result.problems[0]?.message).toContain('amount changed type double → string');
  });

  it('removing a column a report reads, naming the report', () => {
    const result = checkAfter((s) => {
      delete s.columns.amount;
    });
    expect(kinds(result)).toEqual(['report_column_removed']);
    expect(result.problems[0]?.message).toContain('purchases_revenue_daily');
  });

  it('a required field added to a released version', () => {
    const result = checkAfter((s) => {
      props(purchase(s)).channel = { type: 'string' };
      (purchase(s).required as string[]).push('channel');
    });
    expect(kinds(result)).toEqual(['required_added']);
  });

  it('a released version edited in place: a property changed, a property removed, a keyword changed', () => {
    expect(
      kinds(
        checkAfter((s) => {
          props(purchase(s)).coupon = { type: 'string', maxLength: 32 };
        }),
      ),
    ).toEqual(['version_edited']);
    expect(
      kinds(
        checkAfter((s) => {
          delete props(purchase(s)).coupon;
        }),
      ),
    ).toEqual(['version_edited']);
    expect(
      kinds(
        checkAfter((s) => {
          purchase(s).additionalProperties = true;
        }),
      ),
    ).toEqual(['version_edited']);
  });

  it('a released version deleted', () => {
    expect(
      kinds(
        checkAfter((s) => {
          delete s.schemas['purchase/v1'];
        }),
      ),
    ).toEqual(['version_removed']);
  });
});

describe('documented changes pass', () => {
  it('a new optional attribute in a released version', () => {
    const result = checkAfter((s) => {
      props(purchase(s)).gift_wrap = { type: 'boolean' };
    });
    expect(result.ok).toBe(true);
    expect(result.notes.map((n) => n.message)).toContain('purchase/v1: new optional attribute gift_wrap');
  });

  it('a new version with a new required field, and a new event type', () => {
    const result = checkAfter((s) => {
      const v2 = structuredClone(purchase(s));
      props(v2).channel = { type: 'string' };
      (v2.required as string[]).push('channel');
      s.schemas['purchase/v2'] = v2;
      s.schemas['refund/v1'] = { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' } } };
    });
    expect(result.ok).toBe(true);
    expect(result.notes.map((n) => n.message)).toEqual(
      expect.arrayContaining(['new version purchase/v2', 'new event type refund (refund/v1)']),
    );
  });

  it('a new column, removing a column no report reads, and editing descriptions', () => {
    const result = checkAfter((s) => {
      s.columns.country = 'string';
      delete s.columns.user_agent;
      purchase(s).description = 'reworded';
      props(purchase(s)).coupon = { ...props(purchase(s)).coupon, description: 'a voucher code' };
    });
    expect(result.problems).toEqual([]);
  });

  it('a property named like an annotation is still compared', () => {
    const before = released();
    before.schemas['x/v1'] = { properties: { title: { type: 'string' } } };
    const after = structuredClone(before);
    (after.schemas['x/v1'] as { properties: Record<string, unknown> }).properties.title = { type: 'number' };
    expect(kinds(checkSchemaChanges(after, before, reports))).toEqual(['version_edited']);
  });
});

describe('the check on the repository', () => {
  it('passes: the committed schemas and columns are compatible with schemas/released.json', () => {
    const result = checkRepository(repoRoot);
    expect(result.problems).toEqual([]);
  });

  it('reads report columns from identifiers, not comments or strings', () => {
    expect([...sqlIdentifiers("-- amount\nSELECT sum(amount) AS revenue FROM events WHERE x = 'currency'")]).toEqual([
      'select',
      'sum',
      'amount',
      'as',
      'revenue',
      'from',
      'events',
      'where',
      'x',
    ]);
    expect(reports.map((r) => r.report)).not.toContain('failed_events_daily');
  });

  it('the stand-alone check exits 0 and names the release file', () => {
    const plugin = createRequire(import.meta.url)('../../infra/plugins/schema-check.cjs') as {
      runCheck: (serviceDir: string) => { status: number | null; output: string };
    };
    const run = plugin.runCheck(repoRoot);
    expect(run.status).toBe(0);
    expect(run.output).toContain('no breaking change against schemas/released.json');
  }, 60_000);

  it('the deploy hook refuses a repository whose change breaks readers', () => {
    const plugin = createRequire(import.meta.url)('../../infra/plugins/schema-check.cjs') as {
      runCheck: (serviceDir: string, root: string) => { status: number | null; output: string };
    };
    const root = mkdtempSync(path.join(tmpdir(), 'eventlake-schema-'));
    try {
      cpSync(path.join(repoRoot, 'schemas'), path.join(root, 'schemas'), { recursive: true });
      cpSync(path.join(repoRoot, 'reports'), path.join(root, 'reports'), { recursive: true });
      const breaking = released();
      breaking.columns.amount = 'string';
      writeFileSync(path.join(root, 'schemas/released.json'), snapshotText(breaking));
      const run = plugin.runCheck(repoRoot, root);
      expect(run.status).toBe(1);
      expect(run.output).toContain('[column_type_changed] curated column amount changed type string → double');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
