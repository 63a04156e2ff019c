// The Analytics tab of an application (issue 6): the four headline figures, requests over
// time with an Hourly / Daily / Weekly switch, geographic distribution, popular endpoints,
// error rates and types (Chart.js, each chart with the same numbers in a table for screen
// readers), and the CSV / JSON / PDF exports. Everything comes from one request:
// GET /api/v1/applications/{client_id}/analytics (docs/decisions/analytics.md).
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  Chart, BarController, LineController, DoughnutController, CategoryScale, LinearScale,
  BarElement, LineElement, PointElement, ArcElement, Tooltip, Legend, Filler,
} from 'chart.js';
import { api, appUrl } from './api.js';
import { Loading, ErrorMessage, useRequest } from './ui.js';

Chart.register(BarController, LineController, DoughnutController, CategoryScale, LinearScale,
  BarElement, LineElement, PointElement, ArcElement, Tooltip, Legend, Filler);

const DAY = 86400;
// How far back each view looks (the API aligns the ends to whole buckets).
export const VIEWS = [
  { id: 'hour', label: 'Hourly', span: 2 * DAY },
  { id: 'day', label: 'Daily', span: 30 * DAY },
  { id: 'week', label: 'Weekly', span: 12 * 7 * DAY },
];
const BLUE = '#0969da';
const RED = '#cf222e';
const PALETTE = ['#0969da', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0550ae', '#57606a', '#cf222e'];

const nf = new Intl.NumberFormat('en-GB');
export function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)}%`;
}
export function millis(ms) {
  return ms === null || ms === undefined ? '–' : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}
// A bucket start as the axis shows it: "26 Nov 14:00" by hour, "26 Nov" by day or week.
export function bucketLabel(iso, granularity) {
  const d = new Date(iso);
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return granularity === 'hour' ? `${day} ${d.toISOString().slice(11, 16)}` : day;
}

function useChart(config, deps) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, config());
    return () => chart.destroy();
  }, deps);
  return canvas;
}

function Figure({ id, label, value, note }) {
  return html`<div class="figure" data-testid=${`figure-${id}`}>
    <span class="figure-label">${label}</span>
    <strong class="figure-value">${value}</strong>
    ${note && html`<span class="figure-note muted">${note}</span>`}
  </div>`;
}

function TimeChart({ data }) {
  const labels = data.series.map((p) => bucketLabel(p.start, data.granularity));
  const canvas = useChart(() => ({
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'Requests', data: data.series.map((p) => p.requests), backgroundColor: BLUE, grouped: false, order: 2 },
        { label: 'Errors', data: data.series.map((p) => p.errors), backgroundColor: RED, grouped: false, order: 1 },
      ],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  }), [data]);
  return html`<div class="chart-wide"><canvas ref=${canvas} role="img" data-testid="chart-requests" data-buckets=${data.series.length}
    aria-label=${`Requests over time, ${data.series.length} buckets by ${data.granularity}`}></canvas></div>`;
}

function BarList({ testid, title, rows, colour, horizontal = true }) {
  const canvas = useChart(() => ({
    type: 'bar',
    data: { labels: rows.map((r) => r.key), datasets: [{ label: 'Requests', data: rows.map((r) => r.n), backgroundColor: colour }] },
    options: {
      indexAxis: horizontal ? 'y' : 'x', responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true } },
      plugins: { legend: { display: false } },
    },
  }), [rows]);
  return html`<div class="chart-list" style=${{ height: `${Math.max(8, rows.length * 2 + 3)}rem` }}>
    <canvas ref=${canvas} role="img" data-testid=${testid} aria-label=${title}></canvas></div>`;
}

function CountTable({ caption, head, rows, testid }) {
  return html`<table class="counts" data-testid=${testid}><caption class="sr-only">${caption}</caption>
    <thead><tr><th scope="col">${head}</th><th scope="col">Requests</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr key=${r.key}><th scope="row">${r.key}</th><td>${nf.format(r.n)}</td></tr>`)}</tbody>
  </table>`;
}

function ErrorsPanel({ data }) {
  const rows = data.errors.map((e) => ({ key: e.error, n: e.count }));
  const errors = rows.reduce((s, r) => s + r.n, 0);
  const canvas = useChart(() => ({
    type: 'doughnut',
    data: {
      labels: ['Successful', ...rows.map((r) => r.key)],
      datasets: [{ data: [data.total_requests - errors, ...rows.map((r) => r.n)],
        backgroundColor: ['#1a7f37', ...rows.map((_, i) => PALETTE[(i + 3) % PALETTE.length])] }],
    },
    options: { responsive: true, maintainAspectRatio: true, animation: false, plugins: { legend: { position: 'bottom' } } },
  }), [data]);
  return html`<div>
    <p>Error rate <strong data-testid="error-rate">${data.success_rate === null ? '–' : percent(1 - data.success_rate)}</strong>${' '}
      (${nf.format(errors)} of ${nf.format(data.total_requests)} requests)</p>
    <div class="chart-box"><canvas ref=${canvas} role="img" data-testid="chart-errors" aria-label="Successful requests and errors by type"></canvas></div>
    ${rows.length ? html`<table class="counts" data-testid="table-errors"><caption class="sr-only">Errors by type</caption>
      <thead><tr><th scope="col">Error</th><th scope="col">Count</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr key=${r.key}><th scope="row"><code class="mono">${r.key}</code></th><td>${nf.format(r.n)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">No errors in this range.</p>`}
  </div>`;
}

export function exportUrl(clientId, format, view, now = Date.now()) {
  const to = Math.ceil(now / 1000);
  const p = new URLSearchParams({ format, granularity: view.id, from: String(to - view.span), to: String(to) });
  return `${appUrl(clientId)}/analytics/export?${p}`;
}

export function Analytics({ app }) {
  const [view, setView] = useState(VIEWS[1]);
  const r = useRequest(() => {
    const to = Math.ceil(Date.now() / 1000);
    const p = new URLSearchParams({ granularity: view.id, from: String(to - view.span), to: String(to) });
    return api.get(`${appUrl(app.client_id)}/analytics?${p}`);
  }, [app.client_id, view.id]);
  if (r.loading && !r.data) return html`<${Loading} label="Loading analytics…" />`;
  if (r.error && !r.data) return html`<${ErrorMessage} error=${r.error} retry=${r.reload} />`;
  const d = r.data;
  if (d.total_requests_lifetime === 0) {
    return html`<div class="empty" data-testid="analytics-empty">
      <p><strong>No analytics yet.</strong></p>
      <p class="muted">Nothing has called QOC Login for this application yet. Its sign-ins, token requests and API calls show up here within seconds.</p>
    </div>`;
  }
  const countries = d.countries.map((c) => ({ key: c.country === 'ZZ' ? 'ZZ (unknown)' : c.country, n: c.requests }));
  const endpoints = d.endpoints.map((e) => ({ key: e.endpoint, n: e.requests }));
  return html`<div class="analytics stack" data-testid="analytics">
    <div class="figures">
      <${Figure} id="total-requests" label="Total Requests" value=${nf.format(d.total_requests)} note=${`${nf.format(d.total_requests_lifetime)} all time`} />
      <${Figure} id="active-users" label="Active Users" value=${nf.format(d.active_users)} note="signed in now" />
      <${Figure} id="success-rate" label="Success Rate" value=${percent(d.success_rate)} />
      <${Figure} id="avg-response" label="Average Response Time" value=${millis(d.avg_response_ms)} note=${d.p95_response_ms === null ? '' : `p95 ${millis(d.p95_response_ms)}`} />
    </div>
    <section class="card" aria-labelledby="an-time">
      <div class="card-title-row">
        <h3 id="an-time">Requests over time</h3>
        <div class="segmented" role="group" aria-label="Granularity">
          ${VIEWS.map((v) => html`<button type="button" class=${`btn btn-small${v.id === view.id ? ' btn-selected' : ''}`}
            aria-pressed=${v.id === view.id ? 'true' : 'false'} onClick=${() => setView(v)}>${v.label}</button>`)}
        </div>
      </div>
      ${r.loading && html`<${Loading} label="Updating…" />`}
      <${TimeChart} data=${d} />
    </section>
    <div class="dash-grid">
      <section class="card" aria-labelledby="an-geo">
        <h3 id="an-geo">Geographic distribution</h3>
        ${countries.length ? html`<${BarList} testid="chart-countries" title="Requests by country" rows=${countries} colour="#1a7f37" />
          <${CountTable} caption="Requests by country" head="Country" rows=${countries} testid="table-countries" />`
          : html`<p class="muted">No requests in this range.</p>`}
      </section>
      <section class="card" aria-labelledby="an-endpoints">
        <h3 id="an-endpoints">Popular endpoints</h3>
        ${endpoints.length ? html`<${BarList} testid="chart-endpoints" title="Requests by endpoint" rows=${endpoints} colour=${BLUE} />
          <${CountTable} caption="Requests by endpoint" head="Endpoint" rows=${endpoints} testid="table-endpoints" />`
          : html`<p class="muted">No requests in this range.</p>`}
      </section>
      <section class="card" aria-labelledby="an-errors">
        <h3 id="an-errors">Error rates and types</h3>
        <${ErrorsPanel} data=${d} />
      </section>
    </div>
    <section class="card" aria-labelledby="an-export">
      <h3 id="an-export">Export</h3>
      <p class="muted">The ${view.label.toLowerCase()} figures of this range, as a file.</p>
      <p class="export-buttons">
        ${['csv', 'json', 'pdf'].map((f) => html`<a class="btn" href=${exportUrl(app.client_id, f, view)} download data-testid=${`export-${f}`}>${f.toUpperCase()}</a>`)}
      </p>
    </section>
  </div>`;
}
