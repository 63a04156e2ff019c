// Settings tabs: Credentials (Client ID, the secret hidden until View Secret, Copy
// Secret, Regenerate) and Advanced (token lifetimes, grant types, PKCE).
// The revealed secret lives in this component's state only and is dropped when the tab
// unmounts; it never goes to a URL, storage or the console log.
import { html } from 'htm/preact';
import { useState, useEffect } from 'preact/hooks';
import { api, appUrl } from './api.js';
import { GRANTS, isPublic, humanSeconds, daysSince, formatDate } from './format.js';
import { CopyButton, ErrorMessage, Field, Notice } from './ui.js';
import { RegenerateDialog } from './app_dialogs.js';

export function Credentials({ app, canEdit, reload }) {
  const [secret, setSecret] = useState(null);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [copied, setCopied] = useState('');
  const [regen, setRegen] = useState(false);
  useEffect(() => () => setSecret(null), []);
  useEffect(() => {
    if (!copied) return undefined;
    const t = setTimeout(() => setCopied(''), 2000);
    return () => clearTimeout(t);
  }, [copied]);

  const fetchSecret = async () => {
    if (secret) return secret;
    const r = await api.get(appUrl(app.client_id, '/credentials'));
    setSecret(r.client_secret);
    return r.client_secret;
  };
  const view = async () => {
    if (shown) { setShown(false); return; }
    setBusy(true);
    setError(null);
    try {
      await fetchSecret();
      setShown(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    setError(null);
    try {
      const s = await fetchSecret();
      await navigator.clipboard.writeText(s);
      setCopied('Client Secret copied');
    } catch (e) {
      if (e instanceof Error && 'status' in e) setError(e);
      else setCopied('Copy failed: use View Secret and copy it by hand');
    }
  };

  const age = daysSince(app.secret_created_at);
  return html`<div class="stack">
    <section aria-labelledby="cid-title">
      <h3 id="cid-title">Client ID</h3>
      <p class="hint">Your public client identifier. Safe to use in client-side code.</p>
      <p class="kv"><code class="mono" data-testid="client-id">${app.client_id}</code><${CopyButton} text=${app.client_id} what="Client ID" /></p>
    </section>
    <section aria-labelledby="secret-title">
      <h3 id="secret-title">Client Secret</h3>
      ${isPublic(app.type)
        ? html`<${Notice}>This is a public client (${app.type === 'spa' ? 'Single Page Application' : 'Mobile App'}): it runs on the user's device, where a secret cannot be kept, so it has no Client Secret. It proves itself with PKCE instead (Authorization Code grant with a code challenge).</${Notice}>`
        : html`<p class="hint">Your private authentication key. Keep it secure: never commit it or expose it in client-side code.</p>
          <p class="kv">
            <code class="mono secret" data-testid="client-secret" aria-label=${shown ? 'Client Secret' : 'Client Secret (hidden)'}>${shown && secret ? secret : '•'.repeat(24)}</code>
          </p>
          <div class="actions">
            <button type="button" class="btn" onClick=${view} disabled=${busy} aria-pressed=${shown ? 'true' : 'false'}>${busy ? 'Loading…' : shown ? 'Hide Secret' : 'View Secret'}</button>
            <button type="button" class="btn" onClick=${copy}>Copy Secret</button>
            ${canEdit && html`<button type="button" class="btn btn-danger-outline" onClick=${() => setRegen(true)}>Regenerate</button>`}
            <span class="copy-status" role="status" aria-live="polite">${copied}</span>
          </div>
          ${app.secret_created_at && html`<p class="hint">Created ${formatDate(app.secret_created_at)} (${age} day${age === 1 ? '' : 's'} ago). Regenerate secrets every 90 days.</p>`}
          <${ErrorMessage} error=${error} />
          <${RegenerateDialog} app=${app} open=${regen} onClose=${() => setRegen(false)}
            onDone=${() => { setSecret(null); setShown(false); reload(); }} />`}
    </section>
  </div>`;
}

const LIFETIMES = [
  { key: 'access_token_lifetime', label: 'Access Token Lifetime', min: 60, max: 86400, def: 3600 },
  { key: 'refresh_token_lifetime', label: 'Refresh Token Lifetime', min: 300, max: 31536000, def: 2592000 },
  { key: 'id_token_lifetime', label: 'ID Token Lifetime', min: 60, max: 86400, def: 3600 },
];

export function Advanced({ app, canEdit, onChange }) {
  const initial = () => ({
    access_token_lifetime: String(app.access_token_lifetime),
    refresh_token_lifetime: String(app.refresh_token_lifetime),
    id_token_lifetime: String(app.id_token_lifetime),
    grant_types: [...app.grant_types],
    pkce_required: app.pkce_required,
  });
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(initial()), [app]);
  const pub = isPublic(app.type);
  const msgs = (f) => (error ? error.fieldMessages(f) : []);
  const toggleGrant = (g) => (e) => {
    const on = e.currentTarget.checked;
    setForm((f) => ({ ...f, grant_types: on ? [...f.grant_types, g] : f.grant_types.filter((x) => x !== g) }));
    setSaved(false);
  };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { grant_types: GRANTS.map((g) => g.value).filter((g) => form.grant_types.includes(g)) };
    for (const l of LIFETIMES) body[l.key] = /^\d+$/.test(form[l.key].trim()) ? Number(form[l.key].trim()) : form[l.key];
    if (!pub) body.pkce_required = form.pkce_required;
    try {
      onChange(await api.patch(appUrl(app.client_id), body));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form" onSubmit=${submit} novalidate>
    <fieldset><legend>Token Lifetimes</legend>
      ${LIFETIMES.map((l) => html`<${Field} id=${`adv-${l.key}`} label=${`${l.label} (seconds)`}
          hint=${`${humanSeconds(form[l.key]) || 'enter a whole number of seconds'}. From ${humanSeconds(l.min)} to ${humanSeconds(l.max)}; default ${l.def} (${humanSeconds(l.def)}).`}
          messages=${msgs(l.key)}>
        ${(p) => html`<input ...${p} type="number" inputmode="numeric" min=${l.min} max=${l.max} step="1" value=${form[l.key]} readOnly=${!canEdit}
          onInput=${(e) => { const v = e.currentTarget.value; setForm((f) => ({ ...f, [l.key]: v })); setSaved(false); }} />`}
      </${Field}>`)}
    </fieldset>
    <fieldset aria-describedby=${msgs('grant_types').length ? 'grants-err' : undefined}><legend>Grant Types</legend>
      ${GRANTS.map((g) => {
        const unavailable = pub && g.value === 'client_credentials';
        return html`<div class="check">
          <input type="checkbox" id=${`grant-${g.value}`} checked=${form.grant_types.includes(g.value)} disabled=${!canEdit || (unavailable && !form.grant_types.includes(g.value))} onChange=${toggleGrant(g.value)} />
          <label for=${`grant-${g.value}`}>${g.label} <span class=${g.value === 'implicit' ? 'badge badge-legacy' : 'muted'}>${g.value === 'implicit' ? 'Legacy (not recommended)' : g.hint}</span>${unavailable ? html` <span class="muted">(not for public clients)</span>` : ''}</label>
        </div>`;
      })}
      ${form.grant_types.includes('implicit') && html`<p class="alert alert-warning" role="note">The Implicit grant returns tokens in the browser's address bar, where they leak. Use Authorization Code with PKCE instead.</p>`}
      ${msgs('grant_types').length > 0 && html`<ul class="field-errors" id="grants-err">${msgs('grant_types').map((m) => html`<li>${m}</li>`)}</ul>`}
    </fieldset>
    <fieldset><legend>PKCE</legend>
      ${pub
        ? html`<p class="alert alert-info" role="note"><strong>PKCE is required for this public client.</strong> Use the Authorization Code grant with PKCE (S256): it is the recommended flow for Single Page Applications and Mobile Apps.</p>`
        : html`<div class="check"><input type="checkbox" id="adv-pkce" checked=${form.pkce_required} disabled=${!canEdit}
            onChange=${(e) => { const v = e.currentTarget.checked; setForm((f) => ({ ...f, pkce_required: v })); setSaved(false); }} />
          <label for="adv-pkce">Require PKCE <span class="muted">Recommended: use Authorization Code with PKCE for maximum security</span></label></div>`}
      ${msgs('pkce_required').length > 0 && html`<ul class="field-errors">${msgs('pkce_required').map((m) => html`<li>${m}</li>`)}</ul>`}
    </fieldset>
    ${error && !error.errors.length && html`<${ErrorMessage} error=${error} />`}
    ${canEdit && html`<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Saving…' : 'Save Advanced Settings'}</button>
      <span role="status" aria-live="polite">${saved ? 'Saved. Changes take effect immediately.' : ''}</span></div>`}
  </form>`;
}
