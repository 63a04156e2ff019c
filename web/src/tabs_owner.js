// Settings tabs: Transfer Ownership and Danger Zone (Analytics is analytics.js).
import { html } from 'htm/preact';
import { useState, useRef } from 'preact/hooks';
import { api, appUrl } from './api.js';
import { navigate } from './router.js';
import { Field, ErrorMessage, Loading, Dialog, useRequest } from './ui.js';
import { DeleteDialog } from './app_dialogs.js';

export function Transfer({ app, me, role, onChange }) {
  const members = useRequest(() => api.get(`/api/v1/teams/${encodeURIComponent(app.team)}/members`), [app.team]);
  const [to, setTo] = useState('');
  // The password is read from the field when it is sent and never kept in state.
  const passwordField = useRef(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const allowed = app.owner === me.id || role === 'admin';
  const candidates = (members.data?.items ?? []).filter((m) => m.account_id !== app.owner);
  const target = candidates.find((m) => m.account_id === to);

  const start = (e) => {
    e.preventDefault();
    setError(null);
    if (!to) { setError({ fields: { new_owner: ['Choose the new owner.'] } }); return; }
    if (!passwordField.current?.value) { setError({ fields: { password: ['Enter your password to confirm.'] } }); return; }
    setConfirming(true);
  };
  const transfer = async () => {
    setBusy(true);
    setError(null);
    try {
      const updated = await api.post(appUrl(app.client_id, '/transfer'), { new_owner: to, password: passwordField.current?.value ?? '' });
      setDone(target);
      if (passwordField.current) passwordField.current.value = '';
      setConfirming(false);
      onChange(updated);
    } catch (err) {
      setConfirming(false);
      if (passwordField.current) passwordField.current.value = '';
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldMsgs = (f) => {
    if (!error) return [];
    if (error.fields) return error.fields[f] ?? [];
    const m = error.fieldMessages ? error.fieldMessages(f) : [];
    if (f === 'password' && error.status === 403) return [error.message || 'Wrong password.'];
    return m;
  };
  const generic = error && !error.fields && error.status !== 403 && !(error.errors?.length) ? error : null;

  if (!allowed) return html`<p>Only the owner of the application or a team admin can transfer it.</p>`;
  return html`<div class="stack">
    <p>Transfer the ownership of <strong>${app.name}</strong> to another member of its team.</p>
    <p class="alert alert-warning" role="note"><strong>Transfer implications:</strong> after the transfer you will lose owner privileges. The new owner can modify or delete the application. This action cannot be undone. The new owner is notified by email.</p>
    ${done && html`<p class="alert alert-success" role="status">Ownership transferred to ${done.name || done.email}. They have been notified by email.</p>`}
    ${members.loading && !members.data && html`<${Loading} label="Loading team members…" />`}
    <${ErrorMessage} error=${members.error} retry=${members.reload} />
    ${members.data && (candidates.length === 0
      ? html`<p>No other member in this team yet: add one under Team first.</p>`
      : html`<form class="form" onSubmit=${start} novalidate>
        <${Field} id="transfer-to" label="New owner" messages=${fieldMsgs('new_owner')}>
          ${(p) => html`<select ...${p} value=${to} onChange=${(e) => setTo(e.currentTarget.value)}>
            <option value="">Choose a team member…</option>
            ${candidates.map((m) => html`<option value=${m.account_id}>${m.name ? `${m.name} <${m.email}>` : m.email} (${m.role})</option>`)}
          </select>`}
        </${Field}>
        <${Field} id="transfer-password" label="Your password" hint="Confirm the transfer with your QOC Login password." messages=${fieldMsgs('password')}>
          ${(p) => html`<input ...${p} ref=${passwordField} type="password" autocomplete="current-password" />`}
        </${Field}>
        <${ErrorMessage} error=${generic} />
        <div class="form-actions"><button type="submit" class="btn btn-danger">Transfer Ownership</button></div>
      </form>`)}
    <${Dialog} open=${confirming} title="Transfer ownership?" onClose=${() => setConfirming(false)}>
      <p>Transfer <strong>${app.name}</strong> to <strong>${target ? (target.name || target.email) : ''}</strong>?</p>
      <ul>
        <li>You will lose owner privileges.</li>
        <li>The new owner can modify or delete the application.</li>
        <li>This action cannot be undone; the new owner is notified by email.</li>
      </ul>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick=${() => setConfirming(false)}>Cancel</button>
        <button type="button" class="btn btn-danger" onClick=${transfer} disabled=${busy}>${busy ? 'Transferring…' : 'Transfer'}</button>
      </div>
    </${Dialog}>
  </div>`;
}

export function DangerZone({ app, canEdit }) {
  const [open, setOpen] = useState(false);
  return html`<div class="danger-zone">
    <h3>Delete Application</h3>
    <p>Deleting an application is permanent and cannot be undone. All associated data, credentials and configurations will be lost. Active integrations will stop working immediately.</p>
    ${canEdit
      ? html`<button type="button" class="btn btn-danger" onClick=${() => setOpen(true)}>Delete Application</button>`
      : html`<p class="muted">Only the owner or a team admin can delete it.</p>`}
    <${DeleteDialog} app=${app} open=${open} onClose=${() => setOpen(false)} onDeleted=${() => navigate('/console/applications')} />
  </div>`;
}
