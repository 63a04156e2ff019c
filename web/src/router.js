// Client-side routes under /console/: the History API and one hook. Links are real
// <a href> (open in a new tab works); a plain left click is turned into pushState.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

const listeners = new Set();
const BASE = '/console';

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((f) => f());
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => listeners.forEach((f) => f()));

// The path after /console, always starting with '/', and the query.
export function useLocation() {
  const [, tick] = useState(0);
  useEffect(() => {
    const f = () => tick((n) => n + 1);
    listeners.add(f);
    return () => listeners.delete(f);
  }, []);
  const p = location.pathname.startsWith(`${BASE}/`) ? location.pathname.slice(BASE.length) : '/';
  return { path: p, query: new URLSearchParams(location.search) };
}

export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

// match('/applications/:id/:tab?', '/applications/x/general') -> { id: 'x', tab: 'general' }
export function match(pattern, path) {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  const out = {};
  for (let i = 0; i < Math.max(ps.length, xs.length); i++) {
    const p = ps[i];
    if (p === undefined) return null;
    const optional = p.endsWith('?');
    const name = p.replace(/^:|\?$/g, '');
    if (xs[i] === undefined) {
      if (optional) continue;
      return null;
    }
    if (p.startsWith(':')) out[name] = decodeURIComponent(xs[i]);
    else if (p !== xs[i]) return null;
  }
  return out;
}
