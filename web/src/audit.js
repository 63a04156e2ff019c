// Audit log: the selected team's entries, newest first, pages of 50, filtered here by
// action and by text (the API filters by team and page only).
import { html } from 'htm/preact';
import { useState, useEffect } from 'preact/hooks';
import { api } from './api.js';
import { formatExact, relativeTime } from './format.js';
import { Loading, ErrorMessage } from './ui.js';

const ACTIONS = {
  'app.create': 'Application created',
  'app.update': 'Settings changed',
  'app.status.change': 'Status changed',
  'app.delete': 'Application deleted',
  'app.secret.reveal': 'Secret viewed',
  'app.secret.regenerate': 'Secret regenerated',
  'app.icon.set': 'Icon uploaded',
  'app.icon.clear': 'Icon removed',
  'app.transfer': 'Ownership transferred',
  'team.create': 'Team created',
  'team.member.add': 'Member added',
  'team.member.role': 'Member role changed',
  'team.member.remove': 'Member removed',
};
export const describeAction = (a) => ACTIONS[a] ?? a;

export function AuditLog({ team }) {
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [action, setAction] = useState('');
  const [text, setText] = useState('');

  const load = async (before, reset) => {
    setLoading(true);
    setError(null);
    try {
      const p = new URLSearchParams({ team: team.id, limit: '50' });
      if (before) p.set('before', String(before));
      const r = await api.get(`/api/v1/audit?${p}`);
      setItems((xs) => (reset ? r.items : [...xs, ...r.items]));
      setNext(r.next_before ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => { setItems([]); load(null, true); }, [team.id]);

  const t = text.trim().toLowerCase();
  const shown = items.filter((e) => (!action || e.action === action) &&
    (!t || [e.action, e.client_id, e.actor, e.ip, JSON.stringify(e.detail ?? '')].some((v) => v && String(v).toLowerCase().includes(t))));
  const actions = [...new Set([...Object.keys(ACTIONS), ...items.map((e) => e.action)])];
  return html`<section aria-labelledby="audit-title">
    <div class="page-head"><div><h1 id="audit-title">Audit log</h1><p class="sub">${team.name}</p></div></div>
    <div class="toolbar" role="search">
      <label class="inline">Action
        <select aria-label="Action" value=${action} onChange=${(e) => setAction(e.currentTarget.value)}>
          <option value="">All actions</option>
          ${actions.map((a) => html`<option value=${a}>${describeAction(a)}</option>`)}
        </select></label>
      <label class="sr-only" for="audit-search">Filter audit entries</label>
      <input id="audit-search" type="search" placeholder="Filter by Client ID, account or address" value=${text} onInput=${(e) => setText(e.currentTarget.value)} />
    </div>
    <${ErrorMessage} error=${error} retry=${() => load(null, true)} />
    ${loading && items.length === 0 && html`<${Loading} label="Loading audit log…" />`}
    ${!loading && !error && shown.length === 0 && html`<p class="muted">${items.length ? 'No entries match this filter.' : 'No entries yet.'}</p>`}
    ${shown.length > 0 && html`<div class="table-wrap"><table class="audit-table">
      <caption class="sr-only">Audit log entries</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Application</th><th scope="col">Actor</th><th scope="col">Address</th></tr></thead>
      <tbody>${shown.map((e) => html`<tr key=${e.id}>
        <td><time datetime=${e.at} title=${formatExact(e.at)}>${relativeTime(e.at)}</time></td>
        <td>${describeAction(e.action)}</td>
        <td>${e.client_id ? html`<code class="mono">${e.client_id}</code>` : '—'}</td>
        <td><code class="mono">${e.actor}</code></td>
        <td>${e.ip ?? '—'}</td>
      </tr>`)}</tbody></table></div>`}
    ${next && html`<p><button type="button" class="btn" disabled=${loading} onClick=${() => load(next, false)}>${loading ? 'Loading…' : 'Load more'}</button></p>`}
  </section>`;
}
