// New Application: name, description, type and redirect URIs (one per line). The server
// validates (HTTPS rule, wildcard rule) and its messages are shown beside each field.
// After creation the Client ID and the Client Secret are shown once.
import { html } from 'htm/preact';
import { useState, useEffect } from 'preact/hooks';
import { api } from './api.js';
import { Link } from './router.js';
import { TYPES, isPublic } from './format.js';
import { Field, ErrorMessage, lines } from './ui.js';
import { SecretOnce } from './app_dialogs.js';

const KNOWN = ['name', 'description', 'type', 'redirect_uris', 'team'];

export function NewApplication({ team }) {
  const [form, setForm] = useState({ name: '', description: '', type: 'web', redirect: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null); // holds the secret: component state only
  useEffect(() => () => setCreated(null), []);
  const set = (k) => (e) => setForm((f) => ({ ...f, [k]: e.currentTarget.value }));
  const msgs = (f) => (error ? error.fieldMessages(f) : []);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { team: team.id, name: form.name.trim(), type: form.type, redirect_uris: lines(form.redirect) };
    if (form.description.trim()) body.description = form.description.trim();
    try {
      setCreated(await api.post('/api/v1/applications', body));
    } catch (err) {
      setError(err);
      setTimeout(() => document.querySelector('.field-invalid input, .field-invalid textarea, .field-invalid select')?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    const href = `/console/applications/${encodeURIComponent(created.client_id)}`;
    return html`<section aria-labelledby="created-title">
      <h1 id="created-title">Application created</h1>
      <p><strong>${created.name}</strong> is ready. Save its credentials now.</p>
      ${created.client_secret
        ? html`<${SecretOnce} clientId=${created.client_id} secret=${created.client_secret} />`
        : html`<${SecretOnce} clientId=${created.client_id} secret=${null} />
          <p class="alert alert-info" role="note">A ${isPublic(created.type) ? 'public client (Single Page Application or Mobile App)' : 'public client'} has no Client Secret: it cannot keep one secret. It signs users in with the Authorization Code grant and PKCE.</p>`}
      <p class="actions"><${Link} class="btn btn-primary" href=${href}>Go to application settings</${Link}>
        <${Link} class="btn" href="/console/applications">Back to Applications</${Link}></p>
    </section>`;
  }

  const other = error && error.errors.filter((x) => !KNOWN.some((k) => x.field === k || x.field.startsWith(`${k}[`)));
  return html`<section aria-labelledby="new-title">
    <div class="page-head"><h1 id="new-title">New Application</h1></div>
    <form class="form" onSubmit=${submit} novalidate>
      <fieldset><legend>Basic Information</legend>
        <${Field} id="app-name" label="Name" hint="A descriptive name for your application" messages=${msgs('name')}>
          ${(p) => html`<input ...${p} type="text" required maxlength="100" value=${form.name} onInput=${set('name')} />`}
        </${Field}>
        <${Field} id="app-description" label="Description" hint="Brief explanation of the application's purpose" messages=${msgs('description')}>
          ${(p) => html`<textarea ...${p} rows="2" maxlength="1000" value=${form.description} onInput=${set('description')}></textarea>`}
        </${Field}>
      </fieldset>
      <fieldset><legend>Configuration</legend>
        <${Field} id="app-type" label="Application Type" hint=${TYPES.find((t) => t.value === form.type)?.hint} messages=${msgs('type')}>
          ${(p) => html`<select ...${p} value=${form.type} onChange=${set('type')}>
            ${TYPES.map((t) => html`<option value=${t.value}>${t.label}</option>`)}
          </select>`}
        </${Field}>
        <${Field} id="app-redirects" label="Redirect URIs" hint="One URI per line. Must use HTTPS (HTTP allowed for localhost); a wildcard only as the whole first label of an HTTPS host (https://*.example.com/callback)." messages=${msgs('redirect_uris')}>
          ${(p) => html`<textarea ...${p} rows="4" spellcheck="false" placeholder="https://yourapp.com/callback" value=${form.redirect} onInput=${set('redirect')}></textarea>`}
        </${Field}>
      </fieldset>
      ${error && !error.errors.length && html`<${ErrorMessage} error=${error} />`}
      ${other && other.length > 0 && html`<div class="alert alert-error" role="alert"><ul>${other.map((x) => html`<li>${x.field}: ${x.message}</li>`)}</ul></div>`}
      <div class="form-actions">
        <${Link} class="btn" href="/console/applications">Cancel</${Link}>
        <button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Creating…' : 'Create Application'}</button>
      </div>
    </form>
  </section>`;
}
