/* fold.c - see fold.h. Linear searches: a batch holds a few applications and hours, and
 * each hour a few endpoints, countries and errors; the bounds below keep the worst case
 * (every event distinct) at n * n / 2 string compares of short keys. */
#include "analytics/fold.h"

#include <string.h>

struct hour_acc {
	struct qoc_an_hour_delta d;
	struct qoc_an_dim_count *dims;
	const char **accounts;
	size_t dcap, acap;
};

static struct hour_acc *find_hour(struct hour_acc *h, size_t n, const char *client, int64_t hour)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].d.hour == hour && strcmp(h[i].d.client_id, client) == 0)
			return &h[i];
	return NULL;
}

static enum qoc_err add_dim(struct qoc_arena *a, struct hour_acc *h, const char *dim,
                            const char *key)
{
	for (size_t i = 0; i < h->d.ndims; i++)
		if (h->dims[i].dim == dim && strcmp(h->dims[i].key, key) == 0) {
			h->dims[i].n++;
			return QOC_OK;
		}
	if (h->d.ndims == h->dcap) {
		size_t cap = h->dcap ? h->dcap * 2 : 16;
		struct qoc_an_dim_count *d = qoc_arena_calloc(a, cap, sizeof(*d));
		if (!d)
			return QOC_ENOMEM;
		if (h->d.ndims)
			memcpy(d, h->dims, h->d.ndims * sizeof(*d));
		h->dims = d;
		h->dcap = cap;
	}
	h->dims[h->d.ndims++] = (struct qoc_an_dim_count){.dim = dim, .key = key, .n = 1};
	return QOC_OK;
}

static enum qoc_err add_account(struct qoc_arena *a, struct hour_acc *h, const char *acct)
{
	for (size_t i = 0; i < h->d.naccounts; i++)
		if (strcmp(h->accounts[i], acct) == 0)
			return QOC_OK;
	if (h->d.naccounts == h->acap) {
		size_t cap = h->acap ? h->acap * 2 : 8;
		const char **v = qoc_arena_calloc(a, cap, sizeof(*v));
		if (!v)
			return QOC_ENOMEM;
		if (h->d.naccounts)
			memcpy(v, h->accounts, h->d.naccounts * sizeof(*v));
		h->accounts = v;
		h->acap = cap;
	}
	h->accounts[h->d.naccounts++] = acct;
	return QOC_OK;
}

static enum qoc_err add(struct qoc_arena *a, struct hour_acc *h,
                        const struct qoc_analytics_event *e)
{
	enum qoc_err err;
	const char *ep = qoc_endpoint_name((enum qoc_endpoint)e->endpoint);
	h->d.requests++;
	h->d.latency_us_sum += e->latency_us;
	h->d.hist[qoc_an_hist_bucket(e->latency_us)]++;
	if ((err = add_dim(a, h, QOC_AN_DIM_ENDPOINT, ep ? ep : "unknown")) ||
	    (err = add_dim(a, h, QOC_AN_DIM_COUNTRY, e->country)))
		return err;
	if (e->error[0]) {
		h->d.errors++;
		if ((err = add_dim(a, h, QOC_AN_DIM_ERROR, e->error)))
			return err;
	}
	return e->account_id[0] ? add_account(a, h, e->account_id) : QOC_OK;
}

static void row_of(const struct qoc_analytics_event *e, struct qoc_an_event_row *r)
{
	const char *ep = qoc_endpoint_name((enum qoc_endpoint)e->endpoint);
	*r = (struct qoc_an_event_row){
	    .at = e->at,
	    .client_id = e->client_id,
	    .endpoint = ep ? ep : "unknown",
	    .status = e->status,
	    .error = e->error[0] ? e->error : NULL,
	    .latency_us = e->latency_us,
	    .account_id = e->account_id[0] ? e->account_id : NULL,
	    .country = e->country,
	};
}

enum qoc_err qoc_an_fold(const struct qoc_analytics_event *ev, size_t n, struct qoc_arena *a,
                         struct qoc_an_batch *out)
{
	memset(out, 0, sizeof(*out));
	if (n > QOC_AN_BATCH_MAX)
		return QOC_EINVAL;
	if (n == 0)
		return QOC_OK;
	struct qoc_an_event_row *rows = qoc_arena_calloc(a, n, sizeof(*rows));
	struct hour_acc *hours = qoc_arena_calloc(a, n, sizeof(*hours));
	struct qoc_an_hour_delta *deltas = qoc_arena_calloc(a, n, sizeof(*deltas));
	if (!rows || !hours || !deltas)
		return QOC_ENOMEM;
	size_t nh = 0;
	for (size_t i = 0; i < n; i++) {
		const struct qoc_analytics_event *e = &ev[i];
		int64_t hour = e->at - (((e->at % 3600) + 3600) % 3600);
		row_of(e, &rows[i]);
		struct hour_acc *h = find_hour(hours, nh, e->client_id, hour);
		if (!h) {
			h = &hours[nh++];
			h->d.client_id = e->client_id;
			h->d.hour = hour;
		}
		enum qoc_err err = add(a, h, e);
		if (err)
			return err;
	}
	for (size_t i = 0; i < nh; i++) {
		deltas[i] = hours[i].d;
		deltas[i].dims = hours[i].dims;
		deltas[i].accounts = hours[i].accounts;
	}
	out->events = rows;
	out->nevents = n;
	out->hours = deltas;
	out->nhours = nh;
	return QOC_OK;
}
