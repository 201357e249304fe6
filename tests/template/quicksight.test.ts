// QuickSight as code, opt-in: packaged with a principal, the stack has an S3 data source and a SPICE
// dataset per report and one dashboard, all valid against the CloudFormation spec and owned by the
// principal; packaged without one (the default), none of them.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cfnSpec, validateResource } from './cfn-spec.js';
import { repoRoot } from './paths.js';
import { allStatements } from './policies.js';
import { packagedStack, props, resourcesOfType, template } from './template.js';

const principal = 'arn:aws:quicksight:eu-west-1:123456789012:group/default/eventlake-analysts';
const plugin = createRequire(import.meta.url)('../../infra/plugins/quicksight-resources.cjs') as {
  outputColumns: (sql: string) => { name: string; numeric: boolean }[];
  readReports: (dir: string) => { name: string; title: string; columns: { name: string; numeric: boolean }[] }[];
};
const reports = plugin.readReports(repoRoot);
const quickSightTypes = ['AWS::QuickSight::DataSource', 'AWS::QuickSight::DataSet', 'AWS::QuickSight::Dashboard'];

describe('QuickSight, opt-in', () => {
  it('is absent without a principal', () => {
    const t = template();
    for (const type of quickSightTypes) expect(resourcesOfType(t, type), type).toEqual([]);
    expect(t.Resources.QuickSightReportsRole).toBeUndefined();
  });

  describe('with a principal', () => {
    const t = packagedStack({ EVENTLAKE_QUICKSIGHT_PRINCIPAL_ARN: principal }).template;
    const spec = cfnSpec();

    it('has a data source and a dataset per report and one dashboard, all valid against the spec', () => {
      expect(reports.length).toBeGreaterThan(0);
      expect(resourcesOfType(t, 'AWS::QuickSight::DataSource')).toHaveLength(reports.length);
      expect(resourcesOfType(t, 'AWS::QuickSight::DataSet')).toHaveLength(reports.length);
      expect(resourcesOfType(t, 'AWS::QuickSight::Dashboard')).toHaveLength(1);
      for (const [id, resource] of Object.entries(t.Resources).filter(([, r]) =>
        r.Type.startsWith('AWS::QuickSight'),
      )) {
        expect(validateResource(spec, id, resource), id).toEqual([]);
      }
      expect(validateResource(spec, 'QuickSightReportsRole', t.Resources.QuickSightReportsRole as never)).toEqual([]);
    });

    it('reads each report’s manifest, with the report’s columns, through its own role', () => {
      const source = props(t, 'QuickSightSourcePurchasesRevenueDaily');
      expect(source.Type).toBe('S3');
      expect(source.DataSourceParameters.S3Parameters).toEqual({
        ManifestFileLocation: {
          Bucket: { Ref: 'ReportingBucket' },
          Key: 'reports/purchases_revenue_daily/manifest.json',
        },
        RoleArn: { 'Fn::GetAtt': ['QuickSightReportsRole', 'Arn'] },
      });
      const dataset = props(t, 'QuickSightDataSetPurchasesRevenueDaily');
      expect(dataset.ImportMode).toBe('SPICE');
      expect(dataset.PhysicalTableMap.csv.S3Source.InputColumns).toEqual([
        { Name: 'dt', Type: 'STRING' },
        { Name: 'currency', Type: 'STRING' },
        { Name: 'purchases', Type: 'DECIMAL' },
        { Name: 'revenue', Type: 'DECIMAL' },
        { Name: 'average_amount', Type: 'DECIMAL' },
      ]);
      const reads = allStatements(t).filter((s) => s.owner === 'QuickSightReportsRole' && s.kind === 'identity');
      expect(reads.flatMap((s) => s.actions)).toEqual(['s3:GetObject', 's3:ListBucket']);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
      expect(reads[0]?.resources).toEqual([{ 'Fn::Sub': '${ReportingBucket.Arn}/reports/*' }]);
    });

    it('gives the principal every resource, and the dashboard a table per report', () => {
      for (const [id, r] of Object.entries(t.Resources).filter(([, r]) => quickSightTypes.includes(r.Type))) {
        const permissions = (r.Properties?.Permissions ?? []) as { Principal: string }[];
        expect(permissions[0]?.Principal, id).toBe(principal);
      }
      const definition = props(t, 'QuickSightDashboard').Definition;
      expect(definition.DataSetIdentifierDeclarations.map((d: { Identifier: string }) => d.Identifier)).toEqual(
        reports.map((r) => r.name),
      );
      expect(definition.Sheets[0].Visuals).toHaveLength(reports.length);
    });
  });

  it('names report columns by alias or last identifier, numbers from aggregates', () => {
    expect(
      plugin.outputColumns(
        "-- title: x\nSELECT d.dt, CASE m.k WHEN 'a,b' THEN 1 END AS kind, count(*) AS n, round(sum(x), 2) AS total\nFROM t",
      ),
    ).toEqual([
      { name: 'dt', numeric: false },
      { name: 'kind', numeric: false },
      { name: 'n', numeric: true },
      { name: 'total', numeric: true },
    ]);
  });
});
