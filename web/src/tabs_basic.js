// Settings tabs: General (name, description, icon, status), Authentication (redirect URIs,
// allowed origins) and SSO (SSO redirect URIs, logout URIs).
import { html } from 'htm/preact';
import { useState, useEffect, useRef } from 'preact/hooks';
import { api, appUrl } from './api.js';
import { Field, ErrorMessage, Notice } from './ui.js';
import { UriList } from './uri_list.js';

const ICON_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const ICON_MAX = 256 * 1024;

function Details({ app, canEdit, onChange }) {
  const [form, setForm] = useState({ name: app.name, description: app.description ?? '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const set = (k) => (e) => { setForm((f) => ({ ...f, [k]: e.currentTarget.value })); setSaved(false); };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onChange(await api.patch(appUrl(app.client_id), { name: form.name.trim(), description: form.description.trim() }));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const msgs = (f) => (error ? error.fieldMessages(f) : []);
  return html`<form class="form" onSubmit=${submit} novalidate>
    <${Field} id="set-name" label="Name" messages=${msgs('name')}>
      ${(p) => html`<input ...${p} type="text" maxlength="100" required value=${form.name} onInput=${set('name')} readOnly=${!canEdit} />`}
    </${Field}>
    <${Field} id="set-description" label="Description" messages=${msgs('description')}>
      ${(p) => html`<textarea ...${p} rows="3" maxlength="1000" value=${form.description} onInput=${set('description')} readOnly=${!canEdit}></textarea>`}
    </${Field}>
    ${error && !error.errors.length && html`<${ErrorMessage} error=${error} />`}
    ${canEdit && html`<div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Saving…' : 'Save Changes'}</button>
      <span role="status" aria-live="polite">${saved ? 'Saved.' : ''}</span></div>`}
  </form>`;
}

function Icon({ app, canEdit, onChange }) {
  const [file, setFile] = useState(null);
  const [preview, setPreview] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const input = useRef(null);
  useEffect(() => () => preview && URL.revokeObjectURL(preview), [preview]);
  const pick = (e) => {
    setError(null);
    setDone('');
    const f = e.currentTarget.files[0] ?? null;
    if (f && !ICON_TYPES.includes(f.type)) {
      setError({ message: 'Choose a PNG, JPEG or WebP image (SVG is not accepted).' });
      setFile(null);
      setPreview(null);
      return;
    }
    if (f && f.size > ICON_MAX) {
      setError({ message: 'The icon must be at most 256 KiB.' });
      setFile(null);
      setPreview(null);
      return;
    }
    setFile(f);
    setPreview(f ? URL.createObjectURL(f) : null);
  };
  const upload = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.put(appUrl(app.client_id, '/icon'), file);
      onChange(await api.get(appUrl(app.client_id)));
      setFile(null);
      setPreview(null);
      if (input.current) input.current.value = '';
      setDone('Icon uploaded.');
    } catch (err) {
      setError(err.errors?.length ? { message: err.errors.map((x) => x.message).join(' ') } : err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.del(appUrl(app.client_id, '/icon'));
      onChange(await api.get(appUrl(app.client_id)));
      setDone('Icon removed.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const current = app.icon_url ? `${app.icon_url}?v=${encodeURIComponent(app.updated_at ?? '')}` : null;
  return html`<section class="icon-editor" aria-labelledby="icon-title">
    <h3 id="icon-title">Icon</h3>
    <div class="icon-row">
      ${preview
        ? html`<img class="app-icon app-icon-large" src=${preview} alt="Preview of the new icon" width="64" height="64" />`
        : current
          ? html`<img class="app-icon app-icon-large" src=${current} alt="Current icon" width="64" height="64" />`
          : html`<span class="app-icon app-icon-large app-icon-none" aria-hidden="true">${app.name.slice(0, 1).toUpperCase()}</span>`}
      ${canEdit && html`<div>
        <label for="icon-file">Upload icon</label>
        <input id="icon-file" ref=${input} type="file" accept=${ICON_TYPES.join(',')} onChange=${pick} aria-describedby="icon-hint" />
        <p class="hint" id="icon-hint">PNG, JPEG or WebP, 16 to 2048 pixels square-ish, at most 256 KiB. Shown to users on the QOC Login consent page.</p>
        <div class="form-actions">
          ${file && html`<button type="button" class="btn btn-primary" onClick=${upload} disabled=${busy}>${busy ? 'Uploading…' : 'Save Icon'}</button>`}
          ${app.icon_url && !file && html`<button type="button" class="btn" onClick=${remove} disabled=${busy}>Remove Icon</button>`}
        </div>
      </div>`}
    </div>
    <${ErrorMessage} error=${error} />
    <p role="status" aria-live="polite">${done}</p>
  </section>`;
}

function Status({ app, canEdit, onChange }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const setStatus = async (status) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await api.patch(appUrl(app.client_id), { status }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="status-title">
    <h3 id="status-title">Status</h3>
    ${app.status === 'suspended'
      ? html`<p>This application is <strong>suspended</strong> by an instance administrator: it cannot sign anyone in. Only an instance administrator can lift the suspension.</p>`
      : app.status === 'active'
        ? html`<p>The application is <strong>enabled</strong>: it can sign users in and get tokens.</p>
          ${canEdit && html`<button type="button" class="btn" onClick=${() => setStatus('inactive')} disabled=${busy}>Disable Application</button>`}`
        : html`<p>The application is <strong>disabled</strong>: QOC Login refuses it (invalid_client) and its tokens stop working.</p>
          ${canEdit && html`<button type="button" class="btn btn-primary" onClick=${() => setStatus('active')} disabled=${busy}>Enable Application</button>`}`}
    <${ErrorMessage} error=${error} />
  </section>`;
}

export function General(props) {
  return html`<div class="stack">
    <${Details} ...${props} />
    <${Icon} ...${props} />
    <${Status} ...${props} />
  </div>`;
}

export function Authentication({ app, canEdit, onChange }) {
  return html`<div class="stack">
    <${UriList} app=${app} field="redirect_uris" title="Redirect URIs" readOnly=${!canEdit} onSaved=${onChange}
      description="Where QOC Login may send users back after authentication. HTTPS only (HTTP for localhost); a wildcard only as the whole first label of an HTTPS host. Saved changes take effect immediately."
      placeholder="https://yourapp.com/callback" />
    <${UriList} app=${app} field="allowed_origins" title="Allowed Origins" readOnly=${!canEdit} onSaved=${onChange}
      description="Origins (scheme://host[:port]) of browser-based apps allowed to call the token, userinfo and revocation endpoints (CORS)."
      placeholder="https://yourapp.com" />
  </div>`;
}

export function Sso({ app, canEdit, onChange }) {
  return html`<div class="stack">
    <${Notice}>Single Sign-On with QOC Login: these lists are kept apart from the OAuth redirect URIs.</${Notice}>
    <${UriList} app=${app} field="sso_redirect_uris" title="Redirect URIs for SSO" readOnly=${!canEdit} onSaved=${onChange}
      description="Where users are redirected after SSO login; add one per environment."
      placeholder="https://yourapp.com/sso/callback" />
    <${UriList} app=${app} field="logout_uris" title="Logout URIs" readOnly=${!canEdit} onSaved=${onChange}
      description="Post-logout redirect URIs: where users are sent after they sign out (optional, recommended)."
      placeholder="https://yourapp.com/signed-out" />
  </div>`;
}
