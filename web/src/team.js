// Team: the selected team's members with their roles; team admins add members by email,
// change roles and remove members.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { ROLES, roleLabel } from './format.js';
import { Field, ErrorMessage, Loading, Dialog, useRequest } from './ui.js';

const membersUrl = (team, rest = '') => `/api/v1/teams/${encodeURIComponent(team)}/members${rest}`;

function AddMember({ team, onAdded }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('developer');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone('');
    try {
      const m = await api.post(membersUrl(team.id), { email: email.trim(), role });
      setDone(`${m.email} added as ${roleLabel(m.role)}.`);
      setEmail('');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const msgs = (f) => (error ? error.fieldMessages(f) : []);
  return html`<form class="form form-inline" onSubmit=${submit} aria-labelledby="add-title" novalidate>
    <h2 id="add-title">Add member</h2>
    <${Field} id="member-email" label="Email" messages=${msgs('email')}>
      ${(p) => html`<input ...${p} type="email" autocomplete="off" value=${email} onInput=${(e) => setEmail(e.currentTarget.value)} />`}
    </${Field}>
    <${Field} id="member-role" label="Role" messages=${msgs('role')}>
      ${(p) => html`<select ...${p} value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>${ROLES.map((r) => html`<option value=${r}>${roleLabel(r)}</option>`)}</select>`}
    </${Field}>
    <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? 'Adding…' : 'Add Member'}</button></div>
    ${error && !error.errors.length && html`<${ErrorMessage} error=${error} />`}
    <p role="status" aria-live="polite">${done}</p>
  </form>`;
}

function MemberRow({ team, m, isAdmin, me, onChanged, onRemove }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const change = async (e) => {
    const role = e.currentTarget.value;
    setBusy(true);
    setError(null);
    try {
      await api.patch(membersUrl(team.id, `/${encodeURIComponent(m.account_id)}`), { role });
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const label = m.name || m.email;
  return html`<tr>
    <th scope="row">${m.name || '—'}${m.account_id === me.id ? ' (you)' : ''}</th>
    <td>${m.email}</td>
    <td>${isAdmin
      ? html`<select aria-label=${`Role of ${label}`} value=${m.role} disabled=${busy} onChange=${change}>${ROLES.map((r) => html`<option value=${r}>${roleLabel(r)}</option>`)}</select>`
      : roleLabel(m.role)}
      ${error && html`<p class="field-errors" role="alert">${error.message}</p>`}</td>
    ${isAdmin && html`<td><button type="button" class="btn btn-small btn-danger-outline" aria-label=${`Remove ${label}`} onClick=${() => onRemove(m)}>Remove</button></td>`}
  </tr>`;
}

export function Team({ team, me }) {
  const members = useRequest(() => api.get(membersUrl(team.id)), [team.id]);
  const [removing, setRemoving] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const isAdmin = team.role === 'admin';
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.del(membersUrl(team.id, `/${encodeURIComponent(removing.account_id)}`));
      setRemoving(null);
      members.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="team-title">
    <div class="page-head"><div><h1 id="team-title">Team</h1><p class="sub">${team.name}${team.personal ? ' (personal team)' : ''} · your role: ${roleLabel(team.role)}</p></div></div>
    ${members.loading && !members.data && html`<${Loading} label="Loading members…" />`}
    <${ErrorMessage} error=${members.error} retry=${members.reload} />
    ${members.data && html`<div class="table-wrap"><table class="members-table">
      <caption class="sr-only">Members of ${team.name}</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>${isAdmin && html`<th scope="col">Actions</th>`}</tr></thead>
      <tbody>${members.data.items.map((m) => html`<${MemberRow} key=${m.account_id} team=${team} m=${m} me=${me} isAdmin=${isAdmin} onChanged=${members.reload} onRemove=${setRemoving} />`)}</tbody>
    </table></div>`}
    ${isAdmin && html`<${AddMember} team=${team} onAdded=${members.reload} />`}
    <${Dialog} open=${!!removing} title="Remove member?" onClose=${() => { setRemoving(null); setError(null); }}>
      <p>Remove <strong>${removing ? (removing.name || removing.email) : ''}</strong> from ${team.name}? They lose access to the team's applications at once.</p>
      <${ErrorMessage} error=${error} />
      <div class="dialog-actions">
        <button type="button" class="btn" onClick=${() => setRemoving(null)}>Cancel</button>
        <button type="button" class="btn btn-danger" onClick=${remove} disabled=${busy}>Remove Member</button>
      </div>
    </${Dialog}>
  </section>`;
}
