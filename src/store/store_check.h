/* store_check.h - argument checks every store backend shares (no SQL here): what an op
 * refuses with QOC_EINVAL before it binds anything, the same on SQLite and PostgreSQL.
 *
 * For backends only; callers of store.h see the contracts of store.h and store_oauth.h,
 * which these checks implement. None of them keeps a pointer it is given.
 */
#ifndef QOC_STORE_CHECK_H
#define QOC_STORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "store/migration.h"
#include "store/store.h"
#include "store/store_analytics.h"
#include "store/store_oauth.h"
#include "store/store_outbox.h"
#include "store/store_throttle.h"

/* True when s is neither NULL nor "". */
bool qoc_store_nonempty(const char *s);

/* throttle ops: a key of 1..QOC_STORE_THROTTLE_KEY_MAX bytes; params in range (store.h). */
bool qoc_store_throttle_key_ok(const char *key);
bool qoc_store_throttle_args_ok(const char *key, const struct qoc_store_throttle_params *p);
/* throttle_purge: 1..QOC_STORE_THROTTLE_PURGE_MAX rows. */
bool qoc_store_throttle_purge_limit_ok(size_t limit);

/* account_create: an id and an email, and a personal_team_id that is not "". */
bool qoc_store_account_create_ok(const struct qoc_account *acct);

/* True when the audit event names an actor and an action (detail is checked where it is
 * written). */
bool qoc_store_audit_event_ok(const struct qoc_audit_event *ev);

/* audit_append: an entry with a team, an actor and an action. */
bool qoc_store_audit_entry_ok(const struct qoc_audit_entry *e);
/* audit_list: exactly one of team_id and client_id, neither "", limit at most
 * QOC_AUDIT_LIST_MAX_LIMIT, before_id not negative. */
bool qoc_store_audit_query_ok(const struct qoc_audit_query *q);
/* The page size of an audit_list query: q->limit, or 50 for 0. */
size_t qoc_store_audit_page_limit(const struct qoc_audit_query *q);

/* team_create: a team with an id and a name, a creator, and an audit event. */
bool qoc_store_team_create_ok(const struct qoc_team *team, const char *creator_id,
                              const struct qoc_audit_event *audit);

/* True when status is one of the application statuses the schema allows. */
bool qoc_store_app_status_ok(const char *status);
/* True for the types without a secret (spa, mobile): they must require PKCE. */
bool qoc_store_app_is_public(const char *type);
/* The settings app_update writes, checked against the schema's own rules. */
bool qoc_store_app_settings_ok(const struct qoc_app *app);
/* What app_create needs beyond the settings: ids, a type, and a secret that fits it. */
bool qoc_store_app_create_ok(const struct qoc_app *app);

/* The fields every new token needs; the lineage ones are checked by qoc_store_token_ok. */
bool qoc_store_token_base_ok(const struct qoc_token *t);
/* A token issued on its own: base fields, a family, an account for a refresh token, and a
 * parent that is a hash when given. */
bool qoc_store_token_ok(const struct qoc_token *t);

/* outbox_put: a row with an address, a subject, a body and a creation time. */
bool qoc_store_outbox_row_ok(const struct qoc_outbox_row *row);
/* outbox_due and outbox_claim: a limit from 1 to QOC_OUTBOX_DUE_MAX. */
bool qoc_store_outbox_limit_ok(size_t limit);

/* The newest version of an embedded migration list, or -1 (logged) when its versions
 * are not strictly increasing (a build mistake: two files with one number). */
int qoc_store_migrations_newest(const struct qoc_migration *list);

/* analytics_append: at most QOC_AN_BATCH_MAX events and hours; every event names its
 * client, endpoint and a two-letter country; every hour starts on the hour and has no NULL
 * dimension, key or account. */
bool qoc_store_an_batch_ok(const struct qoc_an_batch *b);

#endif
