/* form.c - form/query decoding. See form.h for the rules. */
#include "core/form.h"
#include "core/str.h"

#include <string.h>

enum qoc_err qoc_form_decode(struct qoc_arena *arena, const char *s, size_t len, bool plus_is_space,
                             char **out, size_t *out_len)
{
	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (len == (size_t)-1)
		return QOC_ELIMIT;
	char *dst = qoc_arena_alloc(arena, len + 1);
	if (!dst)
		return QOC_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3)
				return QOC_EINVAL;
			int h = qoc_hex_value((unsigned char)s[i + 1]),
			    l = qoc_hex_value((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return QOC_EINVAL;
			c = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return QOC_EINVAL;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	if (!qoc_utf8_valid(dst, o))
		return QOC_EINVAL;
	*out = dst;
	if (out_len)
		*out_len = o;
	return QOC_OK;
}

/* Number of non-empty '&'-separated pairs in data[0..len). */
static size_t count_pairs(const char *data, size_t len)
{
	size_t n = 0;
	bool in_pair = false;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '&') {
			in_pair = false;
		} else if (!in_pair) {
			in_pair = true;
			n++;
		}
	}
	return n;
}

/* Decodes one pair; *skip is set when its name is empty. */
static enum qoc_err decode_pair(struct qoc_arena *arena, const char *p, size_t n,
                                struct qoc_form_field *f, bool *skip)
{
	const char *eq = memchr(p, '=', n);
	size_t name_len = eq ? (size_t)(eq - p) : n;
	char *name, *value;
	size_t value_len;
	enum qoc_err err = qoc_form_decode(arena, p, name_len, true, &name, NULL);
	if (err)
		return err;
	if (eq)
		err = qoc_form_decode(arena, eq + 1, n - name_len - 1, true, &value, &value_len);
	else
		err = qoc_form_decode(arena, "", 0, true, &value, &value_len);
	if (err)
		return err;
	*skip = (name[0] == '\0');
	f->name = name;
	f->value = value;
	f->value_len = value_len;
	return QOC_OK;
}

enum qoc_err qoc_form_parse(struct qoc_arena *arena, const char *data, size_t len,
                            size_t max_fields, struct qoc_form *out)
{
	enum qoc_err err = QOC_OK;
	out->fields = NULL;
	out->count = 0;
	if (len == 0)
		return QOC_OK;
	size_t pairs = count_pairs(data, len);
	if (pairs > max_fields)
		return QOC_ELIMIT;
	struct qoc_form_field *fields = qoc_arena_calloc(arena, pairs ? pairs : 1, sizeof(*fields));
	if (!fields)
		return QOC_ENOMEM;
	size_t count = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && data[i] != '&')
			continue;
		if (i > start) {
			bool skip = false;
			err = decode_pair(arena, data + start, i - start, &fields[count], &skip);
			if (err)
				goto out;
			if (!skip)
				count++;
		}
		start = i + 1;
	}
	out->fields = count ? fields : NULL;
	out->count = count;
out:
	return err;
}

enum qoc_err qoc_form_get(const struct qoc_form *form, const char *name, const char **value)
{
	const struct qoc_form_field *found = NULL;
	*value = NULL;
	for (size_t i = 0; i < form->count; i++) {
		if (strcmp(form->fields[i].name, name) != 0)
			continue;
		if (found)
			return QOC_ECONFLICT;
		found = &form->fields[i];
	}
	if (!found || found->value[0] == '\0')
		return QOC_ENOTFOUND;
	*value = found->value;
	return QOC_OK;
}

bool qoc_form_has_duplicate(const struct qoc_form *form, const char **name)
{
	/* Quadratic, but count is bounded by max_fields (tens). */
	for (size_t i = 0; i < form->count; i++) {
		for (size_t j = i + 1; j < form->count; j++) {
			if (strcmp(form->fields[i].name, form->fields[j].name) == 0) {
				if (name)
					*name = form->fields[i].name;
				return true;
			}
		}
	}
	return false;
}
