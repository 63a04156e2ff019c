// One application: a summary header (with the best-practice hints) and the settings tabs,
// each its own URL (/console/applications/<client_id>/<tab>).
import { html } from 'htm/preact';
import { api, appUrl } from './api.js';
import { Link } from './router.js';
import { formatDate, isPublic, daysSince } from './format.js';
import { Loading, ErrorMessage, CopyButton, TypeBadge, StatusBadge, LastUsed, useRequest } from './ui.js';
import { General, Authentication, Sso } from './tabs_basic.js';
import { Credentials, Advanced } from './tabs_secure.js';
import { Transfer, DangerZone } from './tabs_owner.js';
import { Analytics } from './analytics.js';

export const TABS = [
  { id: 'general', label: 'General', view: General },
  { id: 'authentication', label: 'Authentication', view: Authentication },
  { id: 'credentials', label: 'Credentials', view: Credentials },
  { id: 'sso', label: 'SSO', view: Sso },
  { id: 'advanced', label: 'Advanced', view: Advanced },
  { id: 'analytics', label: 'Analytics', view: Analytics },
  { id: 'transfer', label: 'Transfer Ownership', view: Transfer },
  { id: 'danger', label: 'Danger Zone', view: DangerZone },
];

export const ROTATE_DAYS = 90;

export function Hints({ app }) {
  const hints = [];
  for (const w of app.warnings ?? []) {
    if (w.field === 'grant_types') {
      hints.push(html`<li class="alert alert-warning"><strong>The Implicit grant is enabled.</strong> It is a legacy grant (not recommended): use Authorization Code with PKCE instead, then turn Implicit off under <${Link} href=${`/console/applications/${encodeURIComponent(app.client_id)}/advanced`}>Advanced</${Link}>.</li>`);
    } else {
      hints.push(html`<li class="alert alert-warning">${w.message}</li>`);
    }
  }
  if (!isPublic(app.type) && app.secret_created_at && daysSince(app.secret_created_at) > ROTATE_DAYS) {
    hints.push(html`<li class="alert alert-warning"><strong>Time to rotate the Client Secret.</strong> It is ${daysSince(app.secret_created_at)} days old; regenerate secrets every ${ROTATE_DAYS} days. <${Link} href=${`/console/applications/${encodeURIComponent(app.client_id)}/credentials`}>Go to Credentials</${Link}></li>`);
  }
  return hints.length ? html`<ul class="hints" aria-label="Recommendations">${hints}</ul>` : null;
}

function Summary({ app }) {
  return html`<header class="app-summary">
    ${app.icon_url ? html`<img class="app-icon app-icon-large" src=${`${app.icon_url}?v=${encodeURIComponent(app.updated_at ?? '')}`} alt=${`${app.name} icon`} width="56" height="56" />` : html`<span class="app-icon app-icon-large app-icon-none" aria-hidden="true">${app.name.slice(0, 1).toUpperCase()}</span>`}
    <div class="app-summary-main">
      <h1 id="app-title">${app.name}</h1>
      <p class="badges"><${TypeBadge} type=${app.type} /> <${StatusBadge} status=${app.status} /></p>
      ${app.description && html`<p class="muted">${app.description}</p>`}
      <dl class="meta meta-inline">
        <div><dt>Client ID</dt><dd><code class="mono">${app.client_id}</code><${CopyButton} text=${app.client_id} what="Client ID" /></dd></div>
        <div><dt>Created</dt><dd><time datetime=${app.created_at}>${formatDate(app.created_at)}</time></dd></div>
        <div><dt>Last used</dt><dd><${LastUsed} iso=${app.last_used_at} /></dd></div>
      </dl>
    </div>
  </header>`;
}

export function Settings({ clientId, tab, me, teams }) {
  const r = useRequest(() => api.get(appUrl(clientId)), [clientId]);
  const current = TABS.find((t) => t.id === tab) ?? TABS[0];
  if (r.loading && !r.data) return html`<${Loading} label="Loading application…" />`;
  if (r.error && !r.data) {
    return html`<section><h1>Application</h1>
      ${r.error.status === 404 ? html`<p role="alert">No such application in your teams.</p>` : html`<${ErrorMessage} error=${r.error} retry=${r.reload} />`}
      <p><${Link} href="/console/applications">Back to Applications</${Link}></p></section>`;
  }
  const app = r.data;
  const role = teams.find((t) => t.id === app.team)?.role ?? 'viewer';
  const canEdit = role !== 'viewer';
  const View = current.view;
  const base = `/console/applications/${encodeURIComponent(app.client_id)}`;
  return html`<section class="settings" aria-labelledby="app-title">
    <p class="crumbs"><${Link} href="/console/applications">Applications</${Link}> / <span>${app.name}</span></p>
    <${Summary} app=${app} />
    <${Hints} app=${app} />
    ${!canEdit && html`<p class="alert alert-info" role="note">You are a viewer in this application's team: settings are read-only.</p>`}
    <div class="settings-body">
      <nav class="tabs" aria-label="Application settings">
        ${TABS.map((t) => html`<${Link} href=${`${base}/${t.id}`} class=${`tab${t === current ? ' tab-current' : ''}`} aria-current=${t === current ? 'page' : undefined}>${t.label}</${Link}>`)}
      </nav>
      <div class="tab-panel" aria-labelledby="tab-title">
        <h2 id="tab-title">${current.label}</h2>
        <${View} key=${current.id} app=${app} me=${me} role=${role} canEdit=${canEdit} onChange=${(a) => r.setData(a)} reload=${r.reload} />
      </div>
    </div>
  </section>`;
}
