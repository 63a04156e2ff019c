/* store_check.c - the argument checks of store_check.h. */
#include "store/store_check.h"

#include <string.h>

#include "core/log.h"
#include "store/store_codec.h"

#define AUDIT_DEFAULT_LIMIT 50

static const char *const app_types[] = {"web", "spa", "mobile", "service", NULL};
static const char *const app_statuses[] = {"active", "inactive", "suspended", NULL};
static const char *const token_formats[] = {"opaque", "jwt", NULL};

static bool one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

bool qoc_store_nonempty(const char *s)
{
	return s && s[0];
}

bool qoc_store_throttle_key_ok(const char *key)
{
	return qoc_store_nonempty(key) && strlen(key) <= QOC_STORE_THROTTLE_KEY_MAX;
}

bool qoc_store_throttle_args_ok(const char *key, const struct qoc_store_throttle_params *p)
{
	return qoc_store_throttle_key_ok(key) && p && p->max_failures >= 1 && p->window >= 1 &&
	       p->lock_base >= 1 && p->lock_max >= p->lock_base && p->pending_ttl >= 1;
}

bool qoc_store_throttle_purge_limit_ok(size_t limit)
{
	return limit >= 1 && limit <= QOC_STORE_THROTTLE_PURGE_MAX;
}

bool qoc_store_account_create_ok(const struct qoc_account *acct)
{
	return acct && qoc_store_nonempty(acct->id) && qoc_store_nonempty(acct->email) &&
	       !(acct->personal_team_id && !acct->personal_team_id[0]);
}

bool qoc_store_audit_event_ok(const struct qoc_audit_event *ev)
{
	return ev && qoc_store_nonempty(ev->actor_id) && qoc_store_nonempty(ev->action);
}

bool qoc_store_audit_entry_ok(const struct qoc_audit_entry *e)
{
	return e && qoc_store_nonempty(e->team_id) && qoc_store_nonempty(e->actor_id) &&
	       qoc_store_nonempty(e->action);
}

bool qoc_store_audit_query_ok(const struct qoc_audit_query *q)
{
	return qoc_store_nonempty(q->team_id) != qoc_store_nonempty(q->client_id) &&
	       !(q->team_id && !q->team_id[0]) && !(q->client_id && !q->client_id[0]) &&
	       q->limit <= QOC_AUDIT_LIST_MAX_LIMIT && q->before_id >= 0;
}

size_t qoc_store_audit_page_limit(const struct qoc_audit_query *q)
{
	return q->limit ? q->limit : AUDIT_DEFAULT_LIMIT;
}

bool qoc_store_app_status_ok(const char *status)
{
	return one_of(status, app_statuses);
}

bool qoc_store_app_is_public(const char *type)
{
	return strcmp(type, "spa") == 0 || strcmp(type, "mobile") == 0;
}

bool qoc_store_app_settings_ok(const struct qoc_app *app)
{
	return qoc_store_nonempty(app->name) && one_of(app->status, app_statuses) &&
	       one_of(app->token_format, token_formats) &&
	       qoc_store_nonempty(app->id_token_signed_response_alg) &&
	       app->access_token_lifetime > 0 && app->refresh_token_lifetime > 0 &&
	       app->id_token_lifetime > 0;
}

bool qoc_store_app_create_ok(const struct qoc_app *app)
{
	if (!qoc_store_nonempty(app->client_id) || !qoc_store_nonempty(app->team_id) ||
	    !qoc_store_nonempty(app->owner_id) || !one_of(app->type, app_types) ||
	    !qoc_store_app_settings_ok(app))
		return false;
	bool has_secret = app->secret_hash && app->secret_hash_len && app->secret_sealed &&
	                  app->secret_sealed_len && app->secret_created_at > 0;
	bool no_secret = !app->secret_hash && !app->secret_sealed && app->secret_created_at == 0;
	if (qoc_store_app_is_public(app->type))
		return no_secret && app->pkce_required;
	return has_secret;
}

bool qoc_store_token_base_ok(const struct qoc_token *t)
{
	return qoc_store_is_hash(t->token_hash) &&
	       (t->kind == QOC_TOKEN_ACCESS || t->kind == QOC_TOKEN_REFRESH) &&
	       qoc_store_nonempty(t->client_id) && t->scope;
}

bool qoc_store_token_ok(const struct qoc_token *t)
{
	return qoc_store_token_base_ok(t) && qoc_store_nonempty(t->family_id) &&
	       (t->kind == QOC_TOKEN_ACCESS || qoc_store_nonempty(t->account_id)) &&
	       (!t->parent_hash || qoc_store_is_hash(t->parent_hash));
}

bool qoc_store_team_create_ok(const struct qoc_team *team, const char *creator_id,
                              const struct qoc_audit_event *audit)
{
	return team && qoc_store_nonempty(team->id) && qoc_store_nonempty(team->name) &&
	       qoc_store_nonempty(creator_id) && qoc_store_audit_event_ok(audit);
}

bool qoc_store_outbox_row_ok(const struct qoc_outbox_row *row)
{
	return row && qoc_store_nonempty(row->to_addr) && qoc_store_nonempty(row->subject) &&
	       row->body && row->created_at > 0;
}

bool qoc_store_outbox_limit_ok(size_t limit)
{
	return limit > 0 && limit <= QOC_OUTBOX_DUE_MAX;
}

bool qoc_store_an_batch_ok(const struct qoc_an_batch *b)
{
	if (!b || b->nevents > QOC_AN_BATCH_MAX || b->nhours > QOC_AN_BATCH_MAX)
		return false;
	for (size_t i = 0; i < b->nevents; i++) {
		const struct qoc_an_event_row *e = &b->events[i];
		if (!e->client_id || !e->endpoint || !e->country || strlen(e->country) != 2)
			return false;
	}
	for (size_t i = 0; i < b->nhours; i++) {
		const struct qoc_an_hour_delta *h = &b->hours[i];
		if (!h->client_id || h->hour % 3600 != 0)
			return false;
		for (size_t j = 0; j < h->ndims; j++)
			if (!h->dims[j].dim || !h->dims[j].key)
				return false;
		for (size_t j = 0; j < h->naccounts; j++)
			if (!h->accounts[j])
				return false;
	}
	return true;
}

int qoc_store_migrations_newest(const struct qoc_migration *list)
{
	int last = 0;
	for (const struct qoc_migration *m = list; m->version; m++) {
		if (m->version <= last) {
			qoc_log_error("store: embedded migrations out of order",
			              "version=%d name=%s", m->version, m->name);
			return -1;
		}
		last = m->version;
	}
	return last;
}
