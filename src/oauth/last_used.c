#include "oauth/last_used.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

#define ID_MAX 64

struct slot {
	char client_id[ID_MAX];
	int64_t written_at;
};

struct qoc_last_used {
	struct qoc_store *store;
	int64_t interval;
	pthread_mutex_t lock;
	struct slot slots[QOC_LAST_USED_SLOTS];
};

enum qoc_err qoc_last_used_new(struct qoc_store *store, int64_t interval, struct qoc_last_used **out)
{
	*out = NULL;
	if (interval < 1)
		return QOC_EINVAL;
	struct qoc_last_used *lu = calloc(1, sizeof(*lu));
	if (!lu)
		return QOC_ENOMEM;
	lu->store = store;
	lu->interval = interval;
	pthread_mutex_init(&lu->lock, NULL);
	*out = lu;
	return QOC_OK;
}

void qoc_last_used_free(struct qoc_last_used *lu)
{
	if (!lu)
		return;
	pthread_mutex_destroy(&lu->lock);
	free(lu);
}

/* True when a write is due (and claims it by recording now). Open addressing over a few
 * probes; a client that finds no slot is always due. */
static bool due(struct qoc_last_used *lu, const char *client_id, int64_t now)
{
	size_t len = strlen(client_id);
	if (len >= ID_MAX)
		return true;
	uint32_t h = qoc_str_hash(client_id);
	bool result = true;
	pthread_mutex_lock(&lu->lock);
	for (unsigned probe = 0; probe < 8; probe++) {
		struct slot *s = &lu->slots[(h + probe) % QOC_LAST_USED_SLOTS];
		if (s->client_id[0] == '\0') {
			memcpy(s->client_id, client_id, len + 1);
			s->written_at = now;
			break;
		}
		if (strcmp(s->client_id, client_id) == 0) {
			result = now - s->written_at >= lu->interval;
			if (result)
				s->written_at = now;
			break;
		}
	}
	pthread_mutex_unlock(&lu->lock);
	return result;
}

enum qoc_err qoc_last_used_note(struct qoc_last_used *lu, const char *client_id, int64_t now)
{
	if (!due(lu, client_id, now))
		return QOC_OK;
	return qoc_store_app_touch_last_used(lu->store, client_id, now);
}
