// The console's pure helpers in Node (no browser): the human hints of the Advanced tab,
// relative times, and how server field errors are matched to fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { humanSeconds, relativeTime, daysSince, typeLabel, isPublic } from '../src/format.js';
import { ApiError } from '../src/api.js';

test('humanSeconds: the hints beside the token lifetimes', () => {
  assert.equal(humanSeconds(3600), '1 hour');
  assert.equal(humanSeconds(2592000), '30 days');
  assert.equal(humanSeconds(86400), '1 day');
  assert.equal(humanSeconds(90), '1 minute 30 seconds');
  assert.equal(humanSeconds(7200), '2 hours');
  assert.equal(humanSeconds(93784), '1 day 2 hours'); // two units at most
  assert.equal(humanSeconds('600'), '10 minutes');
  for (const bad of [0, -5, 1.5, 'abc', '', null]) assert.equal(humanSeconds(bad), '', String(bad));
});

test('relativeTime: "Last used" words, Never for null', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  assert.equal(relativeTime(null, now), 'Never');
  assert.equal(relativeTime('2026-11-26T11:59:50Z', now), 'just now');
  assert.match(relativeTime('2026-11-26T11:57:00Z', now), /3 minutes ago/);
  assert.match(relativeTime('2026-11-26T09:00:00Z', now), /3 hours ago/);
  assert.match(relativeTime('2026-11-25T12:00:00Z', now), /yesterday|1 day ago/);
  assert.match(relativeTime('2026-08-26T12:00:00Z', now), /3 months ago/);
  assert.equal(daysSince('2026-08-18T12:00:00Z', now), 100);
});

test('types: labels as the product page spells them; spa and mobile are public', () => {
  assert.deepEqual(['web', 'spa', 'mobile', 'service'].map(typeLabel),
    ['Web Application', 'Single Page Application', 'Mobile App', 'Service/API']);
  assert.deepEqual(['web', 'spa', 'mobile', 'service'].map(isPublic), [false, true, true, false]);
});

test('ApiError.fieldMessages: a field and its entries, not its namesakes', () => {
  const e = new ApiError(422, {
    title: 'Unprocessable Content',
    errors: [
      { field: 'redirect_uris[1]', message: 'must use https' },
      { field: 'redirect_uris', message: 'at most 50' },
      { field: 'redirect_uris_extra', message: 'unknown field' },
      { field: 'name', message: 'required' },
    ],
  });
  assert.deepEqual(e.fieldMessages('redirect_uris'), ['must use https', 'at most 50']);
  assert.deepEqual(e.fieldMessages('name'), ['required']);
  assert.deepEqual(e.fieldMessages('description'), []);
  assert.equal(e.status, 422);
  assert.equal(new ApiError(500, null).message, 'Request failed (500)');
  assert.equal(new ApiError(403, { title: 'Forbidden', detail: 'the password is not correct' }).message, 'the password is not correct');
});
