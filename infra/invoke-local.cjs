// Environment values that must also resolve offline, for `serverless invoke local`: bucket names end
// in the account id, a CloudFormation !Sub that only a deploy can fill in. Packaged or deployed, each
// value is the !Sub of custom.names; under `invoke local` it is the same name with the account id
// from EVENTLAKE_ACCOUNT_ID (default: the account of the events/ samples, so every handler runs
// with its sample as it would in that account).
// Used as ${file(./infra/invoke-local.cjs):<name>} in the environment of infra/functions/*.yml.
'use strict';

const SAMPLE_ACCOUNT = '123456789012';
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation placeholders, not JS templates
const PLACEHOLDERS = { account: '${AWS::AccountId}', region: '${AWS::Region}' };

const invokedLocally = () => {
  const args = process.argv.slice(2);
  const invoke = args.indexOf('invoke');
  return invoke >= 0 && args[invoke + 1] === 'local';
};

const offline = (value, region) => {
  const template = value?.['Fn::Sub'];
  if (typeof template !== 'string') return value;
  const account = process.env.EVENTLAKE_ACCOUNT_ID ?? SAMPLE_ACCOUNT;
  return template.replaceAll(PLACEHOLDERS.account, account).replaceAll(PLACEHOLDERS.region, region);
};

module.exports = async ({ options, resolveVariable }) => {
  const names = ['ingestBucket', 'lakeBucket', 'reportingBucket'];
  const region = options.region ?? (await resolveVariable('self:provider.region'));
  const entries = await Promise.all(
    names.map(async (name) => {
      const value = await resolveVariable(`self:custom.names.${name}`);
      return [name, invokedLocally() ? offline(value, region) : value];
    }),
  );
  return Object.fromEntries(entries);
};
