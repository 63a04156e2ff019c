// Applications: the list of the selected team's applications as cards (Grid) or rows
// (List; the choice is remembered in localStorage), with search, type and status filters
// and each application's actions.
import { html } from 'htm/preact';
import { useState, useEffect } from 'preact/hooks';
import { api, appUrl } from './api.js';
import { Link, navigate } from './router.js';
import { TYPES, STATUSES, formatDate, isPublic } from './format.js';
import { Loading, ErrorMessage, CopyButton, TypeBadge, StatusBadge, LastUsed, useRequest } from './ui.js';
import { RegenerateDialog, DeleteDialog } from './app_dialogs.js';

const VIEW_KEY = 'qoc.console.view';

function storedView() {
  try {
    return localStorage.getItem(VIEW_KEY) === 'list' ? 'list' : 'grid';
  } catch {
    return 'grid';
  }
}

function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function listUrl(team, { q, type, status, cursor } = {}) {
  const p = new URLSearchParams({ team, limit: '50' });
  if (q) p.set('q', q);
  if (type) p.set('type', type);
  if (status) p.set('status', status);
  if (cursor) p.set('cursor', cursor);
  return `/api/v1/applications?${p}`;
}

function Actions({ app, onRegenerate, onDelete }) {
  const base = `/console/applications/${encodeURIComponent(app.client_id)}`;
  return html`<div class="actions">
    <${Link} class="btn btn-small" href=${base}>View Details</${Link}>
    <${Link} class="btn btn-small" href=${`${base}/general`}>Edit Settings</${Link}>
    <${Link} class="btn btn-small" href=${`${base}/credentials`}>View Credentials</${Link}>
    ${!isPublic(app.type) && html`<button type="button" class="btn btn-small" onClick=${() => onRegenerate(app)}>Regenerate Secret</button>`}
    <button type="button" class="btn btn-small btn-danger-outline" onClick=${() => onDelete(app)}>Delete</button>
  </div>`;
}

function ClientId({ id }) {
  return html`<span class="client-id"><code class="mono">${id}</code><${CopyButton} text=${id} what="Client ID" /></span>`;
}

function Card({ app, ...rest }) {
  const nameId = `app-${app.client_id}`;
  return html`<article class="card app-card" aria-labelledby=${nameId} data-client-id=${app.client_id}>
    <header class="card-head">
      ${app.icon_url ? html`<img class="app-icon" src=${app.icon_url} alt="" width="40" height="40" />` : html`<span class="app-icon app-icon-none" aria-hidden="true">${app.name.slice(0, 1).toUpperCase()}</span>`}
      <div>
        <h3 id=${nameId}><${Link} href=${`/console/applications/${encodeURIComponent(app.client_id)}`}>${app.name}</${Link}></h3>
        <${TypeBadge} type=${app.type} />
      </div>
      <${StatusBadge} status=${app.status} />
    </header>
    <dl class="meta">
      <div><dt>Client ID</dt><dd><${ClientId} id=${app.client_id} /></dd></div>
      <div><dt>Created</dt><dd><time datetime=${app.created_at}>${formatDate(app.created_at)}</time></dd></div>
      <div><dt>Last used</dt><dd><${LastUsed} iso=${app.last_used_at} /></dd></div>
    </dl>
    <${Actions} app=${app} ...${rest} />
  </article>`;
}

function Table({ items, ...rest }) {
  return html`<div class="table-wrap"><table class="apps-table">
    <caption class="sr-only">Applications</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Client ID</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Actions</th></tr></thead>
    <tbody>${items.map((app) => html`<tr key=${app.client_id} data-client-id=${app.client_id}>
      <th scope="row"><${Link} href=${`/console/applications/${encodeURIComponent(app.client_id)}`}>${app.name}</${Link}></th>
      <td><${TypeBadge} type=${app.type} /></td>
      <td><${ClientId} id=${app.client_id} /></td>
      <td><${StatusBadge} status=${app.status} /></td>
      <td><time datetime=${app.created_at}>${formatDate(app.created_at)}</time></td>
      <td><${LastUsed} iso=${app.last_used_at} /></td>
      <td><${Actions} app=${app} ...${rest} /></td>
    </tr>`)}</tbody>
  </table></div>`;
}

export function Applications({ team }) {
  const [view, setView] = useState(storedView);
  const [q, setQ] = useState('');
  const [type, setType] = useState('');
  const [status, setStatus] = useState(() => new URLSearchParams(location.search).get('status') ?? '');
  const [extra, setExtra] = useState({ items: [], cursor: null, loading: false, error: null });
  const [regen, setRegen] = useState(null);
  const [del, setDel] = useState(null);
  const dq = useDebounced(q, 250);
  const list = useRequest(() => api.get(listUrl(team.id, { q: dq, type, status })), [team.id, dq, type, status]);
  useEffect(() => setExtra({ items: [], cursor: null, loading: false, error: null }), [list.data]);

  const choose = (v) => {
    setView(v);
    try { localStorage.setItem(VIEW_KEY, v); } catch { /* private mode: not remembered */ }
  };
  const cursor = extra.cursor ?? list.data?.next_cursor;
  const more = async () => {
    setExtra((x) => ({ ...x, loading: true, error: null }));
    try {
      const p = await api.get(listUrl(team.id, { q: dq, type, status, cursor }));
      setExtra((x) => ({ items: [...x.items, ...p.items], cursor: p.next_cursor ?? '', loading: false, error: null }));
    } catch (error) {
      setExtra((x) => ({ ...x, loading: false, error }));
    }
  };
  const items = [...(list.data?.items ?? []), ...extra.items];
  const actions = { onRegenerate: setRegen, onDelete: setDel };
  const canCreate = team.role !== 'viewer';

  return html`<section aria-labelledby="apps-title">
    <div class="page-head">
      <div><h1 id="apps-title">Applications</h1><p class="sub">Create and manage OAuth applications</p></div>
      ${canCreate && html`<${Link} class="btn btn-primary" href="/console/applications/new">New Application</${Link}>`}
    </div>
    <div class="toolbar" role="search">
      <label class="sr-only" for="app-search">Search applications</label>
      <input id="app-search" type="search" placeholder="Search by name or Client ID" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
      <label class="inline">Type
        <select aria-label="Type" value=${type} onChange=${(e) => setType(e.currentTarget.value)}>
          <option value="">All types</option>
          ${TYPES.map((t) => html`<option value=${t.value}>${t.label}</option>`)}
        </select></label>
      <label class="inline">Status
        <select aria-label="Status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
          <option value="">All statuses</option>
          ${STATUSES.map((t) => html`<option value=${t.value}>${t.label}</option>`)}
        </select></label>
      <div class="view-toggle" role="group" aria-label="View">
        <button type="button" class="btn btn-small" aria-pressed=${view === 'grid' ? 'true' : 'false'} onClick=${() => choose('grid')}>Grid</button>
        <button type="button" class="btn btn-small" aria-pressed=${view === 'list' ? 'true' : 'false'} onClick=${() => choose('list')}>List</button>
      </div>
    </div>
    ${list.loading && !list.data && html`<${Loading} label="Loading applications…" />`}
    <${ErrorMessage} error=${list.error} retry=${list.reload} />
    ${list.data && items.length === 0 && html`<div class="empty"><p>${dq || type || status ? 'No applications match these filters.' : 'No applications yet.'}</p>
      ${canCreate && !(dq || type || status) && html`<${Link} class="btn btn-primary" href="/console/applications/new">Create Application</${Link}>`}</div>`}
    ${items.length > 0 && (view === 'grid'
      ? html`<div class="grid" data-view="grid">${items.map((a) => html`<${Card} key=${a.client_id} app=${a} ...${actions} />`)}</div>`
      : html`<div data-view="list"><${Table} items=${items} ...${actions} /></div>`)}
    <${ErrorMessage} error=${extra.error} retry=${more} />
    ${cursor && html`<p><button type="button" class="btn" onClick=${more} disabled=${extra.loading}>${extra.loading ? 'Loading…' : 'Load more'}</button></p>`}
    ${regen && html`<${RegenerateDialog} app=${regen} open=${true} onClose=${() => setRegen(null)} />`}
    ${del && html`<${DeleteDialog} app=${del} open=${true} onClose=${() => setDel(null)} onDeleted=${() => { setDel(null); list.reload(); }} />`}
  </section>`;
}

export const goToApp = (clientId, tab = '') => navigate(`/console/applications/${encodeURIComponent(clientId)}${tab ? `/${tab}` : ''}`);
export { appUrl };
