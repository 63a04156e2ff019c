// The dialogs that act on one application, shared by the application cards and the
// settings tabs: regenerate the secret (confirm, then the new secret shown once) and
// delete (the exact name must be typed before Permanently Delete is enabled).
import { html } from 'htm/preact';
import { useState, useEffect } from 'preact/hooks';
import { api, appUrl } from './api.js';
import { Dialog, ErrorMessage, CopyButton, Field, useId } from './ui.js';

// The secret shown once, with the warning and a copy button. The value lives only in the
// caller's component state.
export function SecretOnce({ clientId, secret }) {
  return html`<div class="secret-once">
    <p class="alert alert-warning" role="note"><strong>Store the Client Secret securely now.</strong> It is shown only once: never commit it to version control or expose it in client-side code; keep it in an environment variable or a secret store.</p>
    ${clientId && html`<div class="kv"><span class="kv-label">Client ID</span><code class="mono" data-testid="new-client-id">${clientId}</code><${CopyButton} text=${clientId} what="Client ID" /></div>`}
    ${secret && html`<div class="kv"><span class="kv-label">Client Secret</span><code class="mono secret" data-testid="new-client-secret">${secret}</code><${CopyButton} text=${secret} what="Client Secret" /></div>`}
  </div>`;
}

export function RegenerateDialog({ app, open, onClose, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [secret, setSecret] = useState(null);
  useEffect(() => {
    if (!open) { setSecret(null); setError(null); }
  }, [open]);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post(appUrl(app.client_id, '/secret'));
      setSecret(r.client_secret);
      onDone?.(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const close = () => { setSecret(null); onClose(); };
  return html`<${Dialog} open=${open} title=${secret ? 'New Client Secret' : 'Regenerate Client Secret?'} onClose=${close}>
    ${secret
      ? html`<${SecretOnce} secret=${secret} />
        <div class="dialog-actions"><button type="button" class="btn btn-primary" onClick=${close}>Done</button></div>`
      : html`<p class="alert alert-warning" role="note">The old secret of <strong>${app.name}</strong> stops working immediately. Update every service that uses it before you regenerate.</p>
        <${ErrorMessage} error=${error} />
        <div class="dialog-actions">
          <button type="button" class="btn" onClick=${close}>Cancel</button>
          <button type="button" class="btn btn-danger" onClick=${go} disabled=${busy}>${busy ? 'Regenerating…' : 'Regenerate Secret'}</button>
        </div>`}
  </${Dialog}>`;
}

export function DeleteDialog({ app, open, onClose, onDeleted }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useId('confirm-name');
  useEffect(() => {
    if (!open) { setName(''); setError(null); }
  }, [open]);
  const exact = name === app.name;
  const submit = async (e) => {
    e.preventDefault();
    if (!exact) return;
    setBusy(true);
    setError(null);
    try {
      await api.del(appUrl(app.client_id), { confirm_name: name });
      onDeleted?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Dialog} open=${open} title="Delete Application" onClose=${onClose}>
    <form onSubmit=${submit}>
      <p class="alert alert-error" role="note">Deleting <strong>${app.name}</strong> is permanent and cannot be undone. All associated data, credentials and configurations will be lost. Active integrations will stop working immediately.</p>
      <${Field} id=${id} label=${html`Type <strong>${app.name}</strong> to confirm`} messages=${error ? error.fieldMessages('confirm_name') : []}>
        ${(p) => html`<input ...${p} type="text" autocomplete="off" spellcheck="false" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />`}
      </${Field}>
      ${error && !error.errors.length && html`<${ErrorMessage} error=${error} />`}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick=${onClose}>Cancel</button>
        <button type="submit" class="btn btn-danger" disabled=${!exact || busy}>${busy ? 'Deleting…' : 'Permanently Delete'}</button>
      </div>
    </form>
  </${Dialog}>`;
}
