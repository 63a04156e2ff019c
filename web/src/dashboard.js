// Dashboard: applications of the selected team by status (a Chart.js doughnut with the
// same numbers as a table beside it), recent activity from the audit log, and the
// Create Application shortcut.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { Chart, DoughnutController, ArcElement, Tooltip, Legend } from 'chart.js';
import { api } from './api.js';
import { Link } from './router.js';
import { STATUSES, relativeTime, formatExact } from './format.js';
import { Loading, ErrorMessage, useRequest } from './ui.js';
import { describeAction } from './audit.js';

Chart.register(DoughnutController, ArcElement, Tooltip, Legend);

const COLOURS = { active: '#1a7f37', inactive: '#8c959f', suspended: '#cf222e' };

// All applications of the team (pages of 100), counted by status.
async function countByStatus(team) {
  const counts = { active: 0, inactive: 0, suspended: 0 };
  let cursor = '';
  for (let page = 0; page < 50; page++) {
    const p = new URLSearchParams({ team, limit: '100' });
    if (cursor) p.set('cursor', cursor);
    const r = await api.get(`/api/v1/applications?${p}`);
    for (const a of r.items) counts[a.status] = (counts[a.status] ?? 0) + 1;
    if (!r.next_cursor) break;
    cursor = r.next_cursor;
  }
  return counts;
}

function StatusChart({ counts }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, {
      type: 'doughnut',
      data: {
        labels: STATUSES.map((s) => s.label),
        datasets: [{ data: STATUSES.map((s) => counts[s.value]), backgroundColor: STATUSES.map((s) => COLOURS[s.value]) }],
      },
      options: { responsive: true, maintainAspectRatio: true, animation: false, plugins: { legend: { position: 'bottom' } } },
    });
    return () => chart.destroy();
  }, [counts]);
  return html`<div class="chart-box"><canvas ref=${canvas} role="img" aria-label="Applications by status"></canvas></div>`;
}

export function Dashboard({ team }) {
  const counts = useRequest(() => countByStatus(team.id), [team.id]);
  const audit = useRequest(() => api.get(`/api/v1/audit?team=${encodeURIComponent(team.id)}&limit=10`), [team.id]);
  const total = counts.data ? Object.values(counts.data).reduce((a, b) => a + b, 0) : 0;
  return html`<section aria-labelledby="dash-title">
    <div class="page-head">
      <div><h1 id="dash-title">Dashboard</h1><p class="sub">${team.name}</p></div>
      ${team.role !== 'viewer' && html`<${Link} class="btn btn-primary" href="/console/applications/new">Create Application</${Link}>`}
    </div>
    <div class="dash-grid">
      <section class="card" aria-labelledby="dash-apps">
        <h2 id="dash-apps">Applications by status</h2>
        ${counts.loading && !counts.data && html`<${Loading} />`}
        <${ErrorMessage} error=${counts.error} retry=${counts.reload} />
        ${counts.data && html`<div class="status-counts">
          <table class="counts"><caption class="sr-only">Applications by status</caption>
            <tbody>
              ${STATUSES.map((s) => html`<tr><th scope="row"><${Link} href=${`/console/applications?status=${s.value}`}>${s.label}</${Link}></th><td data-status=${s.value}>${counts.data[s.value]}</td></tr>`)}
              <tr><th scope="row">Total</th><td data-status="total">${total}</td></tr>
            </tbody></table>
          ${total > 0 ? html`<${StatusChart} counts=${counts.data} />` : html`<p class="muted">No applications yet.</p>`}
        </div>`}
      </section>
      <section class="card" aria-labelledby="dash-activity">
        <h2 id="dash-activity">Recent activity</h2>
        ${audit.loading && !audit.data && html`<${Loading} />`}
        <${ErrorMessage} error=${audit.error} retry=${audit.reload} />
        ${audit.data && (audit.data.items.length === 0
          ? html`<p class="muted">Nothing yet.</p>`
          : html`<ul class="activity">${audit.data.items.map((e) => html`<li key=${e.id}>
              <span>${describeAction(e.action)}${e.client_id ? html` · <code class="mono">${e.client_id}</code>` : ''}</span>
              <time datetime=${e.at} title=${formatExact(e.at)}>${relativeTime(e.at)}</time></li>`)}</ul>`)}
        <p><${Link} href="/console/audit">Audit log</${Link}></p>
      </section>
    </div>
  </section>`;
}
