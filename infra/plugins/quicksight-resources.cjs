// QuickSight as code, opt-in: with a QuickSight principal ARN (custom.stack.quicksight.principalArn,
// from EVENTLAKE_QUICKSIGHT_PRINCIPAL_ARN or quicksight.principalArn in the pipeline config) the stack
// gets, per report, an S3 data source over the report's manifest (reports/<report>/manifest.json) and
// a SPICE dataset of its CSVs, plus one dashboard with a table of each; QuickSight reads the reporting
// bucket through a role of its own. Without a principal, none of them.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { pascal, reportNames } = require('./derived-resources.cjs');

const NUMERIC = /^(count|sum|avg|round|min|max|approx_percentile|approx_distinct|row_number|rank)\s*\(/i;

/** The outermost SELECT list of a report: [{ name, numeric }], by alias or last identifier. */
function outputColumns(sql) {
  const body = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .trim();
  if (!/^select\s/i.test(body)) throw new Error('quicksight: a report must start with SELECT');
  const items = [];
  let depth = 0;
  let quoted = false;
  let start = 'select'.length;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth += 1;
    if (c === ')') depth -= 1;
    const atFrom = depth === 0 && /^\sfrom\s/i.test(body.slice(i, i + 6));
    if (depth === 0 && (c === ',' || atFrom)) {
      items.push(body.slice(start, i).trim());
      start = i + 1;
      if (atFrom) break;
    }
  }
  return items.map((item) => {
    const alias = /\bas\s+"?([A-Za-z_][A-Za-z0-9_]*)"?\s*$/i.exec(item)?.[1];
    const name = alias ?? /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(item)?.[1];
    if (!name) throw new Error(`quicksight: cannot name the report column "${item}"`);
    return { name, numeric: NUMERIC.test(item.replace(/^distinct\s+/i, '')) };
  });
}

const ACTIONS = {
  dataSource: [
    'quicksight:DescribeDataSource',
    'quicksight:DescribeDataSourcePermissions',
    'quicksight:PassDataSource',
    'quicksight:UpdateDataSource',
    'quicksight:DeleteDataSource',
    'quicksight:UpdateDataSourcePermissions',
  ],
  dataSet: [
    'quicksight:DescribeDataSet',
    'quicksight:DescribeDataSetPermissions',
    'quicksight:PassDataSet',
    'quicksight:DescribeIngestion',
    'quicksight:ListIngestions',
    'quicksight:UpdateDataSet',
    'quicksight:DeleteDataSet',
    'quicksight:CreateIngestion',
    'quicksight:CancelIngestion',
    'quicksight:UpdateDataSetPermissions',
  ],
  dashboard: [
    'quicksight:DescribeDashboard',
    'quicksight:ListDashboardVersions',
    'quicksight:UpdateDashboardPermissions',
    'quicksight:QueryDashboard',
    'quicksight:UpdateDashboard',
    'quicksight:DeleteDashboard',
    'quicksight:DescribeDashboardPermissions',
    'quicksight:UpdateDashboardPublishedVersion',
  ],
};

/** Every QuickSight resource for `reports` ({ name, title, columns }), keyed by logical id. */
function quickSightResources(reports, { principalArn, idPrefix, stage, reportsPrefix, bucketLogicalId, roleName }) {
  const account = { Ref: 'AWS::AccountId' };
  const permissions = (actions) => [{ Principal: principalArn, Actions: actions }];
  const resources = {
    QuickSightReportsRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Sub': roleName },
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'quicksight.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
        Policies: [
          {
            PolicyName: 'read-published-reports',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'ReadReports',
                  Effect: 'Allow',
                  Action: 's3:GetObject',
                  Resource: { 'Fn::Sub': `\${${bucketLogicalId}.Arn}/${reportsPrefix}*` },
                },
                {
                  Sid: 'ListReports',
                  Effect: 'Allow',
                  Action: 's3:ListBucket',
                  Resource: { 'Fn::GetAtt': [bucketLogicalId, 'Arn'] },
                  Condition: { StringLike: { 's3:prefix': `${reportsPrefix}*` } },
                },
              ],
            },
          },
        ],
      },
    },
  };
  const declarations = [];
  const visuals = [];
  for (const report of reports) {
    const id = pascal(report.name);
    const qsId = `${idPrefix}${report.name.replace(/_/g, '-')}`;
    resources[`QuickSightSource${id}`] = {
      Type: 'AWS::QuickSight::DataSource',
      Properties: {
        AwsAccountId: account,
        DataSourceId: qsId,
        Name: `eventlake ${stage} ${report.name}`,
        Type: 'S3',
        DataSourceParameters: {
          S3Parameters: {
            ManifestFileLocation: {
              Bucket: { Ref: bucketLogicalId },
              Key: `${reportsPrefix}${report.name}/manifest.json`,
            },
            RoleArn: { 'Fn::GetAtt': ['QuickSightReportsRole', 'Arn'] },
          },
        },
        Permissions: permissions(ACTIONS.dataSource),
      },
    };
    resources[`QuickSightDataSet${id}`] = {
      Type: 'AWS::QuickSight::DataSet',
      Properties: {
        AwsAccountId: account,
        DataSetId: qsId,
        Name: `${report.title} (${stage})`,
        ImportMode: 'SPICE',
        PhysicalTableMap: {
          csv: {
            S3Source: {
              DataSourceArn: { 'Fn::GetAtt': [`QuickSightSource${id}`, 'Arn'] },
              InputColumns: report.columns.map((c) => ({ Name: c.name, Type: c.numeric ? 'DECIMAL' : 'STRING' })),
              UploadSettings: { Format: 'CSV', ContainsHeader: true, Delimiter: ',', TextQualifier: 'DOUBLE_QUOTE' },
            },
          },
        },
        Permissions: permissions(ACTIONS.dataSet),
      },
    };
    declarations.push({ Identifier: report.name, DataSetArn: { 'Fn::GetAtt': [`QuickSightDataSet${id}`, 'Arn'] } });
    visuals.push({
      TableVisual: {
        VisualId: report.name,
        Title: { Visibility: 'VISIBLE', FormatText: { PlainText: report.title } },
        ChartConfiguration: {
          FieldWells: {
            TableUnaggregatedFieldWells: {
              Values: report.columns.map((c) => ({
                FieldId: `${report.name}.${c.name}`,
                Column: { DataSetIdentifier: report.name, ColumnName: c.name },
              })),
            },
          },
        },
      },
    });
  }
  resources.QuickSightDashboard = {
    Type: 'AWS::QuickSight::Dashboard',
    Properties: {
      AwsAccountId: account,
      DashboardId: `${idPrefix}reports`,
      Name: `eventlake ${stage} reports`,
      Definition: {
        DataSetIdentifierDeclarations: declarations,
        Sheets: [{ SheetId: 'reports', Name: 'Reports', Visuals: visuals }],
      },
      Permissions: permissions(ACTIONS.dashboard),
    },
  };
  return resources;
}

/** Report name, title and output columns of every reports/*.sql. */
function readReports(serviceDir) {
  return reportNames(serviceDir).map((name) => {
    const sql = fs.readFileSync(path.join(serviceDir, 'reports', `${name}.sql`), 'utf8');
    const title = /^--\s*title:\s*(.+)$/m.exec(sql)?.[1]?.trim() ?? name;
    // The chart's measure (`-- y:`) is a number whatever expression computes it.
    const y = /^--\s*y:\s*(\S+)/m.exec(sql)?.[1];
    const columns = outputColumns(sql).map((c) => (c.name === y ? { ...c, numeric: true } : c));
    return { name, title, columns };
  });
}

class QuickSightPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = { 'after:aws:package:finalize:mergeCustomProviderResources': () => this.package() };
  }

  package() {
    const { service } = this.serverless;
    const principalArn = service.custom.stack.quicksight.principalArn;
    if (!principalArn) return;
    if (!/^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group|namespace)\/.+$/.test(principalArn)) {
      throw new Error(`quicksight.principalArn "${principalArn}" is not a QuickSight user, group or namespace ARN`);
    }
    const stage = this.provider.getStage();
    const names = service.custom.names;
    Object.assign(
      service.provider.compiledCloudFormationTemplate.Resources,
      quickSightResources(readReports(this.serverless.serviceDir), {
        principalArn,
        idPrefix: names.quicksightPrefix,
        stage,
        reportsPrefix: service.custom.pipeline.prefixes.reports,
        bucketLogicalId: 'ReportingBucket',
        roleName: `${names.quicksightPrefix}\${AWS::Region}-quicksight-reports`,
      }),
    );
  }
}

module.exports = QuickSightPlugin;
module.exports.outputColumns = outputColumns;
module.exports.quickSightResources = quickSightResources;
module.exports.readReports = readReports;
