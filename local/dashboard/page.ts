// The dashboard's HTML: data embedded as JSON, drawn in the browser by Chart.js per chart hint.
import type { DashboardData } from './dashboard.js';

// `</script>` inside embedded JSON would end the script element early.
const embed = (data: DashboardData): string => JSON.stringify(data).replaceAll('<', '\\u003c');

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.8;font-size:13px}
.tiles{display:flex;gap:12px;padding:16px 24px;flex-wrap:wrap}
.tile{background:#fff;border-radius:8px;padding:12px 16px;min-width:140px;box-shadow:0 1px 2px #0002}
.tile b{display:block;font-size:22px}.tile span{font-size:12px;color:#667}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px;padding:0 24px 24px}
section{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 2px #0002}
section h2{margin:0;font-size:16px}section p{margin:4px 0 8px;font-size:12px;color:#667}
canvas{max-height:280px}button{font-size:12px;margin-top:8px}
table{border-collapse:collapse;font-size:12px;width:100%;margin-top:8px;display:block;max-height:260px;overflow:auto}
table[hidden]{display:none}
th,td{border-bottom:1px solid #e3e5ea;padding:3px 6px;text-align:left}.empty{color:#99a;font-style:italic}`;

const SCRIPT = `
const data = JSON.parse(document.getElementById('data').textContent);
const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => '&#' + ch.charCodeAt(0) + ';');
const fmt = (n) => esc(typeof n === 'number' ? n.toLocaleString() : String(n ?? ''));
const c = data.counts;
const failed = Object.values(c.failedByType).reduce((a, b) => a + b, 0);
document.getElementById('tiles').innerHTML = [
  ['valid events (curated)', c.valid], ['failed events', failed], ['late events', c.late],
  ...Object.entries(c.failedByType).map(([t, n]) => ['failed: ' + t, n]),
  ['freshest event', c.freshestEvent ?? '—'], ['page written', data.generatedAt],
].map(([k, v]) => '<div class="tile"><b>' + fmt(v) + '</b><span>' + esc(k) + '</span></div>').join('');
const palette = ['#4e79a7','#f28e2b','#e15759','#76b7b2','#59a14f','#edc948','#b07aa1','#ff9da7','#9c755f','#bab0ac'];
function chartConfig(view) {
  const d = view.definition, rows = view.rows;
  const labels = [...new Set(rows.map((r) => String(r[d.x])))];
  const seriesNames = d.series ? [...new Set(rows.map((r) => String(r[d.series])))] : [d.y];
  const datasets = seriesNames.map((name, i) => ({
    label: name,
    data: labels.map((x) => rows.filter((r) => String(r[d.x]) === x && (!d.series || String(r[d.series]) === name))
      .reduce((sum, r) => sum + Number(r[d.y] ?? 0), 0)),
    backgroundColor: d.chart === 'pie' ? labels.map((_, k) => palette[k % palette.length]) : palette[i % palette.length],
    borderColor: palette[i % palette.length], fill: d.chart === 'area',
  }));
  const type = d.chart === 'stacked-bar' ? 'bar' : d.chart === 'area' ? 'line' : d.chart;
  const stacked = d.chart === 'stacked-bar' || d.chart === 'area';
  const scales = type === 'pie' ? {} : { x: { stacked }, y: { stacked, beginAtZero: true } };
  return { type, data: { labels, datasets }, options: { animation: false, responsive: true, scales } };
}
function table(view) {
  const head = '<tr>' + view.columns.map((c) => '<th>' + esc(c) + '</th>').join('') + '</tr>';
  const body = view.rows.map((r) => '<tr>' + view.columns.map((c) => '<td>' + fmt(r[c]) + '</td>').join('') + '</tr>').join('');
  return '<table hidden>' + head + body + '</table>';
}
const main = document.getElementById('reports');
for (const view of data.reports) {
  const d = view.definition;
  const el = document.createElement('section');
  const dates = view.dates.length ? view.dates[0] + (view.dates.length > 1 ? ' … ' + view.dates.at(-1) : '') : 'no data yet';
  el.innerHTML = '<h2>' + esc(d.title) + '</h2><p>' + esc(d.description) + ' · grain: ' + esc(d.grain) + ' · ' + esc(dates) + '</p>' +
    (view.rows.length === 0 ? '<p class="empty">No published results yet.</p>' :
      (d.chart === 'table' ? '' : '<canvas></canvas>') + '<button>table</button>' + table(view));
  main.appendChild(el);
  if (view.rows.length === 0) continue;
  const t = el.querySelector('table');
  el.querySelector('button').onclick = () => { t.hidden = !t.hidden; };
  if (d.chart === 'table') t.hidden = false; else new Chart(el.querySelector('canvas'), chartConfig(view));
}`;

export const dashboardPage = (data: DashboardData): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eventlake — reports</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style>
<script src="assets/chart.umd.js"></script></head>
<body><header><h1>eventlake reports</h1><p>Published reports from the local lake (QuickSight stand-in). Generated ${data.generatedAt}.</p></header>
<div class="tiles" id="tiles"></div><main id="reports"></main>
<script type="application/json" id="data">${embed(data)}</script>
<script>${SCRIPT}</script></body></html>
`;
