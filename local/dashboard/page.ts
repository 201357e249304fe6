// The dashboard's HTML shell: controls, tiles and report sections filled in by assets/dashboard.js
// from the data embedded here (so the page works from file://; data.json holds the same for polling).
import type { DashboardData } from './client/model.js';

// `</script>` inside embedded JSON would end the script element early.
const embed = (data: DashboardData): string => JSON.stringify(data).replaceAll('<', '\\u003c');

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 16px;display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center}
header h1{margin:0;font-size:20px}.freshness{margin:2px 0 0;font-size:13px;opacity:.85}
.freshness.stale{opacity:1;color:#1d2330;background:#ffd166;padding:2px 6px;border-radius:4px}
form{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;font-size:13px}
fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px;align-items:center;min-width:0}
legend{float:left;margin-right:4px}
form button,form select,form input{font:inherit;padding:3px 6px;border-radius:4px;border:1px solid #889;max-width:100%}
[aria-pressed=true]{background:#4e79a7;color:#fff;border-color:#4e79a7}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,200px),1fr));gap:12px;padding:16px}
.tile{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px #0002;min-width:0}
.tile .label{display:block;font-size:12px;color:#556}.tile b{display:block;font-size:24px;margin:2px 0}
.change{display:block;font-size:11px;color:#667}.change.up{color:#2b7a3d}.change.down{color:#b3261e}
.spark{display:block;margin-top:4px;max-width:100%}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:16px;padding:0 16px 24px}
.report{background:#fff;border-radius:8px;padding:14px;box-shadow:0 1px 2px #0002;min-width:0}
.report h2{margin:0;font-size:16px}.summary{margin:4px 0;font-size:13px;color:#445}
.note{margin:2px 0;font-size:12px;color:#8a5a00}.empty{color:#99a;font-style:italic}
.chart{height:300px;width:100%}.actions{font-size:12px;margin:8px 0 0}
.table-wrap{overflow-x:auto;max-height:300px;overflow-y:auto}
table{border-collapse:collapse;font-size:12px;width:100%}
th,td{border-bottom:1px solid #e3e5ea;padding:3px 6px;text-align:left;white-space:nowrap}td.num{text-align:right}
th button{all:unset;cursor:pointer;font-weight:600}
th[aria-sort=ascending] button::after{content:' ▲'}th[aria-sort=descending] button::after{content:' ▼'}
summary{cursor:pointer;font-size:12px;margin-top:6px}`;

const presetButtons = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
  ['all', 'All'],
]
  .map(([p, label]) => `<button type="button" data-preset="${p}" aria-pressed="false">${label}</button>`)
  .join('');

export const dashboardPage = (data: DashboardData): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eventlake — reports</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><header><div><h1>eventlake reports</h1><p id="freshness" class="freshness"></p></div>
<form id="controls" onsubmit="return false">
<fieldset><legend>Dates</legend>${presetButtons}
<label>from <input type="date" id="from"></label><label>to <input type="date" id="to"></label></fieldset>
<fieldset><legend>Filters</legend><label>App <select id="filter-app_id"></select></label>
<label>Event type <select id="filter-event_type"></select></label>
<button type="button" id="clear">Clear filters</button></fieldset></form></header>
<section id="tiles" class="tiles" aria-label="Key figures"></section><main id="reports"></main>
<script type="application/json" id="data">${embed(data)}</script>
<script src="assets/dashboard.js"></script></body></html>
`;
