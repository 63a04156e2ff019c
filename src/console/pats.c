/* pats.c - personal access tokens (see pats.h). */
#include "console/pats.h"

#include <string.h>

#include "console/accounts.h"
#include "crypto/token.h"

bool qoc_pat_outlives(int64_t now, int64_t ttl, int64_t parent_expires_at)
{
	if (!parent_expires_at)
		return false;
	return ttl == 0 || ttl > parent_expires_at - now;
}

size_t qoc_pat_count_live(const struct qoc_pat *pats, size_t n, int64_t now)
{
	size_t live = 0;
	for (size_t i = 0; i < n; i++)
		live += !pats[i].revoked_at && (!pats[i].expires_at || now < pats[i].expires_at);
	return live;
}

/* QOC_ELIMIT when account_id already holds QOC_PAT_LIVE_MAX live tokens. */
static enum qoc_err live_limit(struct qoc_store *st, const char *account_id, int64_t now)
{
	struct qoc_arena a;
	struct qoc_pat *pats;
	size_t n;
	qoc_arena_init(&a, 0);
	enum qoc_err err = qoc_store_pat_list(st, &a, account_id, &pats, &n);
	if (!err && qoc_pat_count_live(pats, n, now) >= QOC_PAT_LIVE_MAX)
		err = QOC_ELIMIT;
	qoc_arena_release(&a);
	return err;
}

enum qoc_err qoc_pat_issue(struct qoc_store *st, const struct qoc_clock *clock,
                           const char *account_id, const char *name, int64_t ttl,
                           struct qoc_buf *token_out, char *id_out, size_t id_size)
{
	if (!st || !clock || !account_id || !token_out || !id_out || ttl < 0 ||
	    ttl > QOC_PAT_TTL_MAX || (name && strlen(name) > QOC_PAT_NAME_MAX))
		return QOC_EINVAL;
	size_t start = token_out->len;
	char hash[QOC_TOKEN_HASH_LEN + 1];
	enum qoc_err err = live_limit(st, account_id, qoc_clock_now(clock));
	if (err || (err = qoc_random_id("pat_", 20, id_out, id_size)))
		return err;
	if ((err = qoc_token_new(QOC_PAT_PREFIX, QOC_PAT_BYTES, token_out)))
		goto out;
	if ((err = qoc_token_hash(token_out->data + start, token_out->len - start, hash)))
		goto out;
	int64_t now = qoc_clock_now(clock);
	struct qoc_pat p = {.id = id_out,
	                    .account_id = account_id,
	                    .name = name ? name : "",
	                    .token_hash = hash,
	                    .created_at = now,
	                    .expires_at = ttl ? now + ttl : 0};
	err = qoc_store_pat_create(st, &p);
out:
	if (err && token_out->data) {
		memset(token_out->data + start, 0, token_out->len - start);
		token_out->len = start;
	}
	return err;
}

static bool pat_form(const char *token, size_t len)
{
	const size_t plen = sizeof(QOC_PAT_PREFIX) - 1;
	if (!token || len != QOC_PAT_LEN || memcmp(token, QOC_PAT_PREFIX, plen) != 0)
		return false;
	for (size_t i = plen; i < len; i++) {
		char c = token[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

enum qoc_err qoc_pat_authenticate(struct qoc_store *st, struct qoc_arena *a,
                                  const struct qoc_clock *clock, const char *token, size_t len,
                                  struct qoc_account *acct, struct qoc_pat *pat)
{
	if (!st || !a || !clock || !acct)
		return QOC_EINVAL;
	if (!pat_form(token, len))
		return QOC_ENOTFOUND;
	char hash[QOC_TOKEN_HASH_LEN + 1];
	struct qoc_pat row;
	int64_t now = qoc_clock_now(clock);
	enum qoc_err err = qoc_token_hash(token, len, hash);
	if (!err)
		err = qoc_store_pat_find(st, a, hash, now, &row);
	if (!err)
		err = qoc_store_account_by_id(st, a, row.account_id, acct);
	if (err)
		return err;
	/* Best effort: a failed write of the last use must not refuse a valid token. */
	if (row.last_used_at / 60 != now / 60)
		(void)qoc_store_pat_touch(st, row.id, now);
	if (pat)
		*pat = row;
	return QOC_OK;
}

enum qoc_err qoc_console_pats_list(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who, struct qoc_pat **out,
                                   size_t *count)
{
	return qoc_store_pat_list(c->store, a, who->account_id, out, count);
}

enum qoc_err qoc_console_pat_create(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who, const char *name,
                                    int64_t ttl, int64_t parent_expires_at,
                                    struct qoc_buf *token_out, char *id_out, size_t id_size,
                                    struct qoc_pat *out, struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	memset(out, 0, sizeof(*out));
	/* Issue 13: a token cannot create a token that outlives it. */
	int64_t now = qoc_clock_now(c->clock);
	if (qoc_pat_outlives(now, ttl, parent_expires_at)) {
		const char *msg = qoc_arena_printf(
		    a,
		    "must not outlive the personal access token making this request: 1 to %lld "
		    "seconds (0, no expiry, is not allowed)",
		    (long long)(parent_expires_at - now));
		return msg ? qoc_console_refuse(p, QOC_EINVAL, "ttl", msg) : QOC_ENOMEM;
	}
	enum qoc_err err = qoc_pat_issue(c->store, c->clock, who->account_id, name, ttl, token_out,
	                                 id_out, id_size);
	if (err == QOC_ELIMIT)
		return qoc_console_refuse(p, QOC_ELIMIT, NULL, QOC_PAT_LIMIT_DETAIL);
	if (err)
		return err;
	*out = (struct qoc_pat){.id = id_out,
	                        .account_id = who->account_id,
	                        .name = name ? name : "",
	                        .created_at = now,
	                        .expires_at = ttl ? now + ttl : 0};
	return QOC_OK;
}

enum qoc_err qoc_console_pat_revoke(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who, const char *id)
{
	if (!id)
		return QOC_ENOTFOUND;
	return qoc_store_pat_revoke(c->store, who->account_id, id, qoc_clock_now(c->clock));
}
