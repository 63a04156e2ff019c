// QOC Cloud Console: the shell (header with the account, team switcher and Sign out; the
// sidebar; the routes). Sign-in is QOC Login's: without a console session the app sends
// the browser to /console/login?next=<here>, which comes back here signed in.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState, useRef } from 'preact/hooks';
import './style.css';
import { loadSession, csrf, api, signInUrl } from './api.js';
import { Link, useLocation, match } from './router.js';
import { Loading, ErrorMessage } from './ui.js';
import { Dashboard } from './dashboard.js';
import { Applications } from './apps.js';
import { NewApplication } from './new_app.js';
import { Settings, TABS } from './settings.js';
import { Team } from './team.js';
import { AuditLog } from './audit.js';

const TEAM_KEY = 'qoc.console.team';
const NAV = [
  { href: '/console/', label: 'Dashboard', active: (p) => p === '/' },
  { href: '/console/applications', label: 'Applications', active: (p) => p.startsWith('/applications') },
  { href: '/console/team', label: 'Team', active: (p) => p === '/team' },
  { href: '/console/audit', label: 'Audit log', active: (p) => p === '/audit' },
];

function route(path, ctx) {
  let m;
  if (path === '/') return [html`<${Dashboard} ...${ctx} />`, 'Dashboard'];
  if (path === '/applications') return [html`<${Applications} ...${ctx} />`, 'Applications'];
  if (path === '/applications/new') return [html`<${NewApplication} ...${ctx} />`, 'New Application'];
  if ((m = match('/applications/:id/:tab?', path))) {
    const tab = TABS.find((t) => t.id === m.tab);
    return [html`<${Settings} key=${m.id} clientId=${m.id} tab=${m.tab} ...${ctx} />`, tab ? tab.label : 'Application'];
  }
  if (path === '/team') return [html`<${Team} ...${ctx} />`, 'Team'];
  if (path === '/audit') return [html`<${AuditLog} ...${ctx} />`, 'Audit log'];
  return [html`<section><h1>Page not found</h1><p><${Link} href="/console/">Go to the Dashboard</${Link}></p></section>`, 'Not found'];
}

function Header({ me, teams, team, onTeam }) {
  return html`<header class="topbar">
    <a class="brand" href="/console/">QOC Cloud Console</a>
    <div class="topbar-right">
      <label class="team-switch">Team
        <select aria-label="Team" value=${team.id} onChange=${(e) => onTeam(e.currentTarget.value)}>
          ${teams.map((t) => html`<option value=${t.id}>${t.name}${t.personal ? ' (personal)' : ''}</option>`)}
        </select>
      </label>
      <span class="account" title=${me.email}><span class="account-name">${me.name || me.email}</span><span class="account-email">${me.email}</span></span>
      <form method="post" action="/console/logout" class="signout">
        <input type="hidden" name="csrf_token" value=${csrf()} />
        <button type="submit" class="btn btn-small">Sign out</button>
      </form>
    </div>
  </header>`;
}

function Shell({ me }) {
  const { path } = useLocation();
  const teams = me.teams ?? [];
  const [teamId, setTeamId] = useState(() => {
    let stored = null;
    try { stored = localStorage.getItem(TEAM_KEY); } catch { /* not remembered */ }
    return teams.some((t) => t.id === stored) ? stored : me.personal_team ?? teams[0]?.id;
  });
  const team = teams.find((t) => t.id === teamId) ?? teams[0];
  const main = useRef(null);
  const chooseTeam = (id) => {
    setTeamId(id);
    try { localStorage.setItem(TEAM_KEY, id); } catch { /* not remembered */ }
  };
  const [view, title] = team ? route(path, { me, team, teams }) : [html`<p>You are in no team.</p>`, 'Console'];
  const first = useRef(true);
  useEffect(() => {
    document.title = `${title} · QOC Cloud Console`;
    if (first.current) { first.current = false; return; }
    main.current?.focus();
  }, [path]);
  return html`<div class="layout">
    <a class="skip" href="#main">Skip to content</a>
    <${Header} me=${me} teams=${teams} team=${team} onTeam=${chooseTeam} />
    <nav class="sidebar" aria-label="Console">
      <ul>${NAV.map((n) => html`<li><${Link} href=${n.href} aria-current=${n.active(path) ? 'page' : undefined}>${n.label}</${Link}></li>`)}</ul>
    </nav>
    <main id="main" ref=${main} tabindex="-1">${view}</main>
  </div>`;
}

function App() {
  const [state, setState] = useState({ loading: true });
  const load = async () => {
    setState({ loading: true });
    try {
      const session = await loadSession();
      if (!session) {
        location.assign(signInUrl());
        return;
      }
      const me = await api.get('/api/v1/me');
      setState({ me });
    } catch (error) {
      setState({ error });
    }
  };
  useEffect(() => { load(); }, []);
  if (state.error) return html`<main class="boot"><h1>QOC Cloud Console</h1><${ErrorMessage} error=${state.error} retry=${load} /></main>`;
  if (!state.me) return html`<main class="boot"><${Loading} label="Signing in…" /></main>`;
  return html`<${Shell} me=${state.me} />`;
}

const root = document.getElementById('app');
root.textContent = ''; // the boot message of index.html
render(html`<${App} />`, root);
