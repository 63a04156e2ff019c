// An editable list of URIs (add, edit, remove, save), used by the Authentication and SSO
// tabs. Saving PATCHes only this field; the server's messages come back per entry
// ("redirect_uris[1]") and are shown beside that entry.
import { html } from 'htm/preact';
import { useState, useEffect } from 'preact/hooks';
import { api, appUrl } from './api.js';
import { ErrorMessage, useId } from './ui.js';

export function UriList({ app, field, title, description, placeholder, onSaved, readOnly }) {
  const [items, setItems] = useState(app[field] ?? []);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const id = useId(field);
  useEffect(() => setItems(app[field] ?? []), [app, field]);

  const dirty = JSON.stringify(items) !== JSON.stringify(app[field] ?? []);
  const rowMessages = (i) => (error ? error.errors.filter((e) => e.field === `${field}[${i}]`).map((e) => e.message) : []);
  const listMessages = error ? error.errors.filter((e) => e.field === field).map((e) => e.message) : [];
  const change = (next) => { setItems(next); setSaved(false); };
  const add = () => {
    const v = draft.trim();
    if (!v) return;
    change([...items, v]);
    setDraft('');
  };
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const updated = await api.patch(appUrl(app.client_id), { [field]: items.map((s) => s.trim()).filter(Boolean) });
      setSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="uri-list" onSubmit=${save} aria-labelledby=${`${id}-title`} novalidate>
    <h3 id=${`${id}-title`}>${title}</h3>
    ${description && html`<p class="hint">${description}</p>`}
    ${items.length === 0 && html`<p class="muted">None yet.</p>`}
    <ul class="uri-rows">
      ${items.map((v, i) => {
        const m = rowMessages(i);
        return html`<li key=${i} class=${m.length ? 'field-invalid' : ''}>
          <label class="sr-only" for=${`${id}-${i}`}>${title} ${i + 1}</label>
          <input id=${`${id}-${i}`} type="url" spellcheck="false" value=${v} readOnly=${readOnly}
            aria-invalid=${m.length ? 'true' : undefined} aria-describedby=${m.length ? `${id}-${i}-err` : undefined}
            onInput=${(e) => change(items.map((x, j) => (j === i ? e.currentTarget.value : x)))} />
          ${!readOnly && html`<button type="button" class="btn btn-small" aria-label=${`Remove ${v || `entry ${i + 1}`}`} onClick=${() => change(items.filter((_, j) => j !== i))}>Remove</button>`}
          ${m.length > 0 && html`<ul class="field-errors" id=${`${id}-${i}-err`}>${m.map((x) => html`<li>${x}</li>`)}</ul>`}
        </li>`;
      })}
    </ul>
    ${listMessages.length > 0 && html`<ul class="field-errors">${listMessages.map((x) => html`<li>${x}</li>`)}</ul>`}
    ${!readOnly && html`<div class="uri-add">
      <label class="sr-only" for=${`${id}-new`}>New entry for ${title}</label>
      <input id=${`${id}-new`} type="url" spellcheck="false" placeholder=${placeholder} value=${draft}
        onInput=${(e) => setDraft(e.currentTarget.value)} onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
      <button type="button" class="btn btn-small" onClick=${add} aria-label=${`Add to ${title}`}>Add</button>
    </div>
    ${error && !error.errors.length && html`<${ErrorMessage} error=${error} />`}
    <div class="form-actions">
      <button type="submit" class="btn btn-primary" disabled=${busy || !dirty}>${busy ? 'Saving…' : `Save ${title}`}</button>
      <span role="status" aria-live="polite">${saved && !dirty ? 'Saved. Changes take effect immediately.' : ''}</span>
    </div>`}
  </form>`;
}
