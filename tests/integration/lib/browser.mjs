// A browser without a browser, for driving the QOC Login pages (server-rendered HTML that
// works without JavaScript) from Node tests: a cookie jar, redirects followed by hand, and
// HTML forms read and submitted the way a browser would.
//
// Why no npm HTML parser: the pages are ours and simple, and what a test needs from them is
// the forms (action, method, named controls). A small tokenizer that knows the parts of HTML
// that can hide a "<form" (comments, <script>/<style>/<textarea> raw text, quoted attribute
// values containing ">") does that without a dependency; browser.test.mjs pins its cases.
// Browser-level behaviour (JavaScript, CSP, rendering) is what playwright-core is for.

// --- HTML ---------------------------------------------------------------------------

const NAMED_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

// Decodes character references (&amp; &#39; &#x2F; and a few named ones); unknown names
// stay as written, like a browser does for unterminated references it does not know.
export function decodeEntities(s) {
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, ref) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    const named = NAMED_ENTITIES[ref.toLowerCase()];
    return named === undefined ? all : named;
  });
}

// Attributes of one start tag's inside ("input type=hidden name='x' value=\"a>b\" disabled").
function parseAttributes(s) {
  const attrs = {};
  const re = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(s))) {
    const name = m[1].toLowerCase();
    if (name in attrs) continue; // the first occurrence wins (HTML spec)
    const raw = m[2] ?? m[3] ?? m[4];
    attrs[name] = raw === undefined ? '' : decodeEntities(raw);
  }
  return attrs;
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);

// Splits html into start tags, end tags and text, skipping comments, doctypes and the
// contents of raw-text elements (whose text is attached to their start tag as .text).
export function tokenize(html) {
  const tokens = [];
  // A tag: "<" name, then attributes where quoted values may hold ">", then ">".
  const tagRe = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/y;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?') { // doctype, CDATA, processing instruction
      const end = html.indexOf('>', lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    tagRe.lastIndex = lt;
    const m = tagRe.exec(html);
    if (!m) { i = lt + 1; continue; }
    const name = m[2].toLowerCase();
    i = tagRe.lastIndex;
    if (m[1]) { tokens.push({ type: 'end', name }); continue; }
    const tok = { type: 'start', name, attrs: parseAttributes(m[3]) };
    tokens.push(tok);
    if (name === 'option') { // its text (up to the next tag) is its value when it has none
      const next = html.indexOf('<', i);
      tok.text = decodeEntities(html.slice(i, next < 0 ? html.length : next));
    }
    if (RAW_TEXT.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'ig');
      close.lastIndex = i;
      const c = close.exec(html);
      const text = html.slice(i, c ? c.index : html.length);
      tok.text = name === 'textarea' || name === 'title' ? decodeEntities(text) : text;
      i = c ? close.lastIndex : html.length;
    }
  }
  return tokens;
}

function selectValue(options) {
  const chosen = options.find((o) => 'selected' in o.attrs) ?? options[0];
  if (!chosen) return null;
  return chosen.attrs.value ?? chosen.text.trim();
}

// Every <form> of the page with its controls, in document order:
//   { index, attrs, id, name, action, method, enctype,
//     controls: [{ tag, type, name, value, checked, disabled, attrs }] }
// action is the attribute as written (null when absent); method is lower-case "get" or
// "post". A <select>'s value is its selected (or first) option's.
export function parseForms(html) {
  const forms = [];
  let form = null;
  let select = null;
  for (const tok of tokenize(html)) {
    if (tok.type === 'end') {
      if (tok.name === 'form') form = null;
      if (tok.name === 'select' && select) {
        select.control.value = selectValue(select.options);
        select = null;
      }
      continue;
    }
    const a = tok.attrs;
    if (tok.name === 'form') {
      if (form) continue; // nested forms are ignored by browsers
      const method = (a.method || 'get').toLowerCase();
      form = {
        index: forms.length, attrs: a, id: a.id ?? null, name: a.name ?? null,
        action: 'action' in a ? a.action : null,
        method: method === 'post' ? 'post' : 'get',
        enctype: (a.enctype || 'application/x-www-form-urlencoded').toLowerCase(),
        controls: [],
      };
      forms.push(form);
      continue;
    }
    if (!form) continue;
    if (tok.name === 'input' || tok.name === 'button') {
      const type = (a.type || (tok.name === 'button' ? 'submit' : 'text')).toLowerCase();
      form.controls.push({
        tag: tok.name, type, name: a.name ?? null,
        value: a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : ''),
        checked: 'checked' in a, disabled: 'disabled' in a, attrs: a,
      });
    } else if (tok.name === 'textarea') {
      // A newline right after <textarea> is not part of the value (HTML spec).
      const value = (tok.text || '').replace(/^\r?\n/, '');
      form.controls.push({ tag: 'textarea', type: 'textarea', name: a.name ?? null, value, checked: false, disabled: 'disabled' in a, attrs: a });
    } else if (tok.name === 'select') {
      const control = { tag: 'select', type: 'select', name: a.name ?? null, value: null, checked: false, disabled: 'disabled' in a, attrs: a };
      form.controls.push(control);
      select = { control, options: [] };
    } else if (tok.name === 'option' && select) {
      select.options.push({ attrs: a, text: tok.text });
    }
  }
  if (select) select.control.value = selectValue(select.options);
  return forms;
}

// Picks a form: a number (index), "#id", "[attr=value]" / "form[attr=value]" (exact,
// quotes optional), or a predicate over the parsed form. undefined: the first form.
export function findForm(forms, selector = 0) {
  let form;
  if (selector === undefined || selector === null) selector = 0;
  if (typeof selector === 'number') form = forms[selector];
  else if (typeof selector === 'function') form = forms.find(selector);
  else if (typeof selector === 'string') {
    let m;
    if ((m = /^#(.+)$/.exec(selector))) form = forms.find((f) => f.id === m[1]);
    else if ((m = /^(?:form)?\[\s*([^\s=\]]+)\s*=\s*["']?([^"'\]]*)["']?\s*\]$/.exec(selector))) {
      const attr = m[1].toLowerCase();
      form = forms.find((f) => f.attrs[attr] === m[2]);
    } else if (selector === 'form') form = forms[0];
    else throw new Error(`unsupported form selector ${JSON.stringify(selector)}`);
  } else throw new TypeError('form selector must be a number, a string or a function');
  if (!form) throw new Error(`no form matches ${String(selector)} (page has ${forms.length})`);
  return form;
}

// The name/value pairs a browser would send for form (HTML "constructing the entry list"):
// named, enabled controls; checkboxes and radios only when checked; no buttons except
// the submitter; no file inputs. `submitter` picks a submit button by name or value (or
// { name, value }); fields then replace (or, with null/undefined, remove) entries by name.
// An array value sends the name once per element.
export function formEntries(form, fields = {}, submitter) {
  const entries = [];
  const BUTTONS = new Set(['submit', 'button', 'reset', 'image']);
  for (const c of form.controls) {
    if (!c.name || c.disabled) continue;
    if (BUTTONS.has(c.type) || c.type === 'file') continue;
    if ((c.type === 'checkbox' || c.type === 'radio') && !c.checked) continue;
    if (c.type === 'select' && c.value === null) continue;
    entries.push([c.name, c.value]);
  }
  if (submitter !== undefined && submitter !== null) {
    const want = typeof submitter === 'string' ? { any: submitter } : submitter;
    const btn = form.controls.find((c) => (c.type === 'submit' || c.type === 'image') && !c.disabled &&
      (want.any !== undefined ? c.value === want.any || c.name === want.any
        : (want.name === undefined || c.name === want.name) && (want.value === undefined || c.value === want.value)));
    if (!btn) throw new Error(`no submit button matches ${JSON.stringify(submitter)}`);
    if (btn.name) entries.push([btn.name, btn.value]);
  }
  let out = entries;
  for (const [name, value] of Object.entries(fields)) {
    out = out.filter(([n]) => n !== name);
    if (value === null || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, String(v)]);
  }
  return out;
}

// The request a submission makes: { method, url, body, contentType }. base is the page's
// URL (a <base href> in the page wins); a missing or empty action submits to the page.
export function formRequest(html, selector, fields, { base, submitter } = {}) {
  const forms = parseForms(html);
  const form = findForm(forms, selector);
  const baseTag = tokenize(html).find((t) => t.type === 'start' && t.name === 'base' && t.attrs.href);
  const docBase = baseTag ? new URL(baseTag.attrs.href, base).href : base;
  if (!docBase && !(form.action && /^[a-z][a-z0-9+.-]*:/i.test(form.action)))
    throw new Error('a relative form action needs the page URL (base)');
  const url = new URL(form.action ? form.action : (base ?? docBase), docBase);
  url.hash = '';
  const params = new URLSearchParams(formEntries(form, fields, submitter));
  if (form.method === 'get') {
    url.search = params.toString();
    return { method: 'GET', url: url.href, body: undefined, contentType: undefined };
  }
  if (form.enctype !== 'application/x-www-form-urlencoded')
    throw new Error(`form enctype ${form.enctype} is not supported`);
  return { method: 'POST', url: url.href, body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
}

// --- cookies ------------------------------------------------------------------------

// One Set-Cookie header (RFC 6265 §5.2) as seen from requestUrl; null when it is to be
// ignored (no name=value, a Domain the host is not in).
export function parseSetCookie(header, requestUrl, now = Date.now()) {
  const url = new URL(requestUrl);
  const [pair, ...attrParts] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (!name) return null;
  const host = url.hostname.toLowerCase();
  const defaultPath = url.pathname.lastIndexOf('/') > 0 ? url.pathname.slice(0, url.pathname.lastIndexOf('/')) : '/';
  const c = { name, value, domain: host, hostOnly: true, path: defaultPath, expires: Infinity, secure: false, httpOnly: false, sameSite: null };
  for (const part of attrParts) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : part.slice(i + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(val)) {
      c.expires = Number(val) <= 0 ? -Infinity : now + Number(val) * 1000;
      c.maxAge = true; // Max-Age wins over Expires whatever the order (§5.3 step 3)
    } else if (key === 'expires' && !c.maxAge) {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) c.expires = t;
    } else if (key === 'domain' && val) {
      const d = val.replace(/^\./, '').toLowerCase();
      if (host !== d && !host.endsWith(`.${d}`)) return null;
      c.domain = d; c.hostOnly = false;
    } else if (key === 'path' && val.startsWith('/')) c.path = val;
    else if (key === 'secure') c.secure = true;
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'samesite') c.sameSite = val.toLowerCase();
  }
  return c;
}

function pathMatches(reqPath, cookiePath) {
  if (reqPath === cookiePath) return true;
  if (!reqPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

export class CookieJar {
  constructor() { this.cookies = []; }

  // Stores the Set-Cookie headers of a response to requestUrl.
  store(setCookieHeaders, requestUrl, now = Date.now()) {
    for (const h of setCookieHeaders) {
      const c = parseSetCookie(h, requestUrl, now);
      if (!c) continue;
      this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path));
      if (c.expires > now) this.cookies.push(c);
    }
  }

  // The cookies to send to url, longest path first (RFC 6265 §5.4).
  forUrl(url, now = Date.now()) {
    const u = new URL(url);
    const host = u.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => c.expires > now);
    return this.cookies
      .filter((c) => (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`)))
      .filter((c) => pathMatches(u.pathname || '/', c.path))
      // Secure cookies go to https, and to loopback http as Chromium does (tests run there).
      .filter((c) => !c.secure || u.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(host))
      .sort((a, b) => b.path.length - a.path.length);
  }

  header(url, now = Date.now()) {
    const list = this.forUrl(url, now);
    return list.length ? list.map((c) => `${c.name}=${c.value}`).join('; ') : null;
  }

  get(name, url) {
    return (url ? this.forUrl(url) : this.cookies).find((c) => c.name === name) ?? null;
  }
}

// --- the browser --------------------------------------------------------------------

// Follows redirects itself (fetch redirect: 'manual') so every hop is visible and the jar
// sees every Set-Cookie. A redirect to an origin outside `origins` is not followed: the
// 3xx comes back (its .location resolved), which is how a test catches the redirect to an
// application's callback with the code in it. `origins` defaults to the origin of the
// first request.
export class Browser {
  constructor({ origins, fetch: fetchImpl = globalThis.fetch, maxRedirects = 10, headers = {} } = {}) {
    this.jar = new CookieJar();
    this.origins = origins ? new Set(origins.map((o) => new URL(o).origin)) : null;
    this.fetch = fetchImpl;
    this.maxRedirects = maxRedirects;
    this.headers = headers;
    this.history = []; // every hop: { method, url, status, location }
  }

  // One hop, no redirects followed. Returns a page: { status, url, headers, body,
  // location, redirects }.
  async send(method, url, { body, contentType, headers = {} } = {}) {
    const h = { ...this.headers, ...headers };
    const cookie = this.jar.header(url);
    if (cookie) h.cookie = cookie;
    if (contentType) h['content-type'] = contentType;
    const r = await this.fetch(url, { method, body, headers: h, redirect: 'manual' });
    this.jar.store(r.headers.getSetCookie ? r.headers.getSetCookie() : [], url);
    const loc = r.headers.get('location');
    const page = {
      status: r.status, url, headers: r.headers, body: await r.text(),
      location: loc !== null ? new URL(loc, url).href : null, redirects: [],
    };
    this.history.push({ method, url, status: r.status, location: page.location });
    return page;
  }

  // Sends and follows redirects within the allowed origins: 301/302/303 continue as GET
  // without a body (what browsers do), 307/308 repeat the method and body.
  async request(method, url, opts = {}) {
    if (!this.origins) this.origins = new Set([new URL(url).origin]);
    const redirects = [];
    let page = await this.send(method, url, opts);
    while ([301, 302, 303, 307, 308].includes(page.status) && page.location) {
      if (!this.origins.has(new URL(page.location).origin)) break;
      if (redirects.length >= this.maxRedirects) throw new Error(`more than ${this.maxRedirects} redirects from ${url}`);
      redirects.push({ status: page.status, url: page.url, location: page.location });
      const keep = page.status === 307 || page.status === 308;
      if (!keep) { method = 'GET'; opts = { headers: opts.headers }; }
      page = await this.send(method, page.location, opts);
    }
    page.redirects = redirects;
    return page;
  }

  get(url, opts) { return this.request('GET', url, opts); }

  post(url, fields, opts = {}) {
    const body = fields instanceof URLSearchParams ? fields.toString() : new URLSearchParams(fields).toString();
    return this.request('POST', url, { ...opts, body, contentType: 'application/x-www-form-urlencoded' });
  }

  // Submits a form of a page (what get/post returned) or of an HTML string (then give
  // opts.base, the URL the HTML came from). See formEntries for fields and submitter.
  submitForm(page, selector = 0, fields = {}, opts = {}) {
    const html = typeof page === 'string' ? page : page.body;
    const base = opts.base ?? (typeof page === 'string' ? undefined : page.url);
    const req = formRequest(html, selector, fields, { base, submitter: opts.submitter });
    return this.request(req.method, req.url, { body: req.body, contentType: req.contentType, headers: opts.headers });
  }
}
