// Physical names that need characters the stage may contain replaced: IoT rule names allow only
// [A-Za-z0-9_], so `dev-alice` becomes `dev_alice`. Used as ${file(./infra/names.cjs):<name>}.
'use strict';

const ruleSafe = (value) => String(value).replace(/[^A-Za-z0-9_]/g, '_');

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  return { iotRuleName: ruleSafe(`${service}_${stage}_device_events`) };
};
