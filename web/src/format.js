// Words and numbers as the console shows them.

export const TYPES = [
  { value: 'web', label: 'Web Application', hint: 'For server-side web apps' },
  { value: 'spa', label: 'Single Page Application', hint: 'For client-side apps' },
  { value: 'mobile', label: 'Mobile App', hint: 'For iOS/Android applications' },
  { value: 'service', label: 'Service/API', hint: 'For backend services' },
];
export const STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
  { value: 'suspended', label: 'Suspended' },
];
export const GRANTS = [
  { value: 'authorization_code', label: 'Authorization Code', hint: 'For web and mobile apps (recommended)' },
  { value: 'refresh_token', label: 'Refresh Token', hint: 'For long-lived access' },
  { value: 'client_credentials', label: 'Client Credentials', hint: 'For service-to-service' },
  { value: 'implicit', label: 'Implicit', hint: 'Legacy (not recommended)' },
];
export const ROLES = ['admin', 'developer', 'viewer'];

export const typeLabel = (t) => TYPES.find((x) => x.value === t)?.label ?? t;
export const statusLabel = (s) => STATUSES.find((x) => x.value === s)?.label ?? s;
export const isPublic = (t) => t === 'spa' || t === 'mobile';
export const roleLabel = (r) => r.charAt(0).toUpperCase() + r.slice(1);

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const exactFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
const rel = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDate = (iso) => (iso ? dateFmt.format(new Date(iso)) : '—');
export const formatExact = (iso) => (iso ? exactFmt.format(new Date(iso)) : '');

// "3 minutes ago", "yesterday"; "Never" for null.
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return 'Never';
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const units = [['year', 31557600], ['month', 2629800], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) if (Math.abs(s) >= size) return rel.format(Math.round(s / size), unit);
  return 'just now';
}

// 3600 -> "1 hour", 2592000 -> "30 days", 90 -> "1 minute 30 seconds".
export function humanSeconds(n) {
  n = Number(n);
  if (!Number.isFinite(n) || n <= 0 || !Number.isInteger(n)) return '';
  const parts = [];
  for (const [size, name] of [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']]) {
    const q = Math.floor(n / size);
    if (q) parts.push(`${q} ${name}${q === 1 ? '' : 's'}`);
    n -= q * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export const DAY_MS = 86400000;
export function daysSince(iso, now = Date.now()) {
  return iso ? Math.floor((now - new Date(iso).getTime()) / DAY_MS) : 0;
}
