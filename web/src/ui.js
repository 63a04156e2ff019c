// Small shared pieces: loading and error states, form fields with their server messages,
// the copy button, badges and the accessible dialog (the native <dialog> element, opened
// modal: the browser traps focus, makes the rest inert and closes it on Escape).
import { html } from 'htm/preact';
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { typeLabel, statusLabel, relativeTime, formatExact } from './format.js';

export function Loading({ label = 'Loading…' }) {
  return html`<p class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>${label}</p>`;
}

export function ErrorMessage({ error, retry }) {
  if (!error) return null;
  return html`<div class="alert alert-error" role="alert">
    <p>${error.message || String(error)}</p>
    ${retry && html`<button type="button" class="btn" onClick=${retry}>Try again</button>`}
  </div>`;
}

export function Notice({ kind = 'info', children }) {
  return html`<div class=${`alert alert-${kind}`} role=${kind === 'warning' ? 'note' : 'status'}>${children}</div>`;
}

// useRequest(() => api.get(url), [deps]) -> { data, error, loading, reload, setData }
export function useRequest(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => n === seq.current && setState({ data, error: null, loading: false }),
      (error) => n === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, deps);
  useEffect(() => {
    run();
    return () => { seq.current++; };
  }, [run]);
  return { ...state, reload: run, setData: (d) => setState((s) => ({ ...s, data: typeof d === 'function' ? d(s.data) : d })) };
}

let idSeq = 0;
export function useId(prefix = 'f') {
  const ref = useRef(null);
  if (!ref.current) ref.current = `${prefix}-${++idSeq}`;
  return ref.current;
}

// A labelled field. messages: server messages for it (shown beside it, linked by
// aria-describedby, aria-invalid set).
export function Field({ label, hint, messages = [], children, id }) {
  const hintId = hint ? `${id}-hint` : null;
  const errId = messages.length ? `${id}-err` : null;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const child = typeof children === 'function' ? children({ id, 'aria-describedby': describedBy, 'aria-invalid': messages.length ? 'true' : undefined }) : children;
  return html`<div class=${`field${messages.length ? ' field-invalid' : ''}`}>
    <label for=${id}>${label}</label>
    ${child}
    ${hint && html`<p class="hint" id=${hintId}>${hint}</p>`}
    ${messages.length > 0 && html`<ul class="field-errors" id=${errId}>${messages.map((m) => html`<li>${m}</li>`)}</ul>`}
  </div>`;
}

// Copies text; shows "Copied" in a live region for two seconds.
export function CopyButton({ text, label = 'Copy', what }) {
  const [state, setState] = useState('');
  useEffect(() => {
    if (!state) return undefined;
    const t = setTimeout(() => setState(''), 2000);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('Copied');
    } catch {
      setState('Copy failed: select the text and copy it by hand');
    }
  };
  return html`<span class="copy">
    <button type="button" class="btn btn-small" onClick=${copy} aria-label=${what ? `${label} ${what}` : label}>${label}</button>
    <span class="copy-status" role="status" aria-live="polite">${state}</span>
  </span>`;
}

export function TypeBadge({ type }) {
  return html`<span class=${`badge badge-type badge-${type}`}>${typeLabel(type)}</span>`;
}
export function StatusBadge({ status }) {
  return html`<span class=${`badge badge-status status-${status}`}>${statusLabel(status)}</span>`;
}
export function LastUsed({ iso }) {
  return iso
    ? html`<time datetime=${iso} title=${formatExact(iso)}>${relativeTime(iso)}</time>`
    : html`<span>Never</span>`;
}

// A modal dialog. open: boolean; onClose called on Escape, the close button or a cancel.
// Focus goes to the first field (or the dialog) on open and back to where it was on close.
export function Dialog({ open, title, onClose, children, describedBy }) {
  const ref = useRef(null);
  const returnTo = useRef(null);
  const titleId = useId('dlg');
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement;
      d.showModal();
      const first = d.querySelector('[autofocus], input:not([type=hidden]), select, textarea, button:not(.dialog-close)');
      (first || d).focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);
  useEffect(() => () => {
    if (returnTo.current && document.contains(returnTo.current)) returnTo.current.focus();
  }, []);
  useEffect(() => {
    if (!open && returnTo.current) {
      const el = returnTo.current;
      returnTo.current = null;
      if (document.contains(el)) el.focus();
    }
  }, [open]);
  const onCancel = (e) => {
    e.preventDefault();
    onClose();
  };
  return html`<dialog ref=${ref} class="dialog" aria-labelledby=${titleId} aria-describedby=${describedBy} aria-modal="true" onCancel=${onCancel} tabindex="-1">
    ${open && html`<div class="dialog-body">
      <div class="dialog-head">
        <h2 id=${titleId}>${title}</h2>
        <button type="button" class="dialog-close" aria-label="Close" onClick=${onClose}>×</button>
      </div>
      ${children}
    </div>`}
  </dialog>`;
}

// Splits a textarea into trimmed non-empty lines.
export const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);
