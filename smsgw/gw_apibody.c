/*
 * apibody: JSON request bodies of the HTTP API to checked C structs, with
 * jansson. Strict on purpose: a field the API does not know is an error, not
 * something ignored, so a client's typo ("phnoe") is found at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gw_apibody.h"
#include "i18n.h"
#include "util.h"



static int
fail(struct apibody_error *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct apibody_error *e, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	e->code = code;
	va_start(ap, fmt);
	if (vsnprintf(e->reason, sizeof(e->reason), fmt, ap) < 0)
		e->reason[0] = '\0';
	va_end(ap);
	return -1;
}

/* The body as an object; NULL with e set. The caller decrefs. */
static json_t *
load(const char *body, size_t len, struct apibody_error *e)
{
	json_error_t	 je;
	json_t		*root;

	if (body == NULL || len == 0) {
		(void)fail(e, "bad_json", "%s", _("the request has no body "
		    "(a JSON object is expected)"));
		return NULL;
	}
	if (len > APIBODY_MAX) {
		(void)fail(e, "too_large", _("the body is over %d bytes"),
		    APIBODY_MAX);
		return NULL;
	}
	/* jansson's own depth limit is 2048; ours are flat. */
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		(void)fail(e, "bad_json", _("malformed JSON at %d:%d: %s"),
		    je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		(void)fail(e, "bad_json", "%s", _("the body must be a JSON "
		    "object"));
		return NULL;
	}
	return root;
}

/* Every key of o is one of names (NULL-terminated). */
static int
known_fields(json_t *o, const char *const *names, struct apibody_error *e)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	json_object_foreach(o, key, v) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return fail(e, "unknown_field", _("unknown field "
			    "'%.64s'"), key);
	}
	return 0;
}

/*
 * String field name into buf (size bytes with the NUL): 1 copied, 0
 * absent and optional, -1 with e set. Valid UTF-8, no NUL, not empty.
 */
static int
get_string(json_t *o, const char *name, int required, char *buf,
    size_t size, struct apibody_error *e)
{
	json_t		*v = json_object_get(o, name);
	const char	*s;
	size_t		 n;

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		return fail(e, "missing_field", _("field '%s' is required"),
		    name);
	}
	if (!json_is_string(v))
		return fail(e, "wrong_type", _("field '%s' must be a string"),
		    name);
	s = json_string_value(v);
	n = json_string_length(v);
	/* jansson refuses \u0000 unless asked; keep the guard anyway. */
	if (strlen(s) != n || !util_utf8_valid(s, n))
		return fail(e, "wrong_type", _("field '%s' is not valid "
		    "UTF-8 text"), name);
	if (n == 0)
		return fail(e, "missing_field", _("field '%s' is empty"),
		    name);
	if (n >= size)
		return fail(e, "too_long", _("field '%s' is longer than %zu "
		    "bytes"), name, size - 1);
	memcpy(buf, s, n + 1);
	return 1;
}

static const char *const message_fields[] = {
	"phone", "text", "validity_s", NULL,
};

int
apibody_message(const char *body, size_t len, struct apibody_message *m,
    struct apibody_error *e)
{
	enum ident_phone_kind	 kind;
	json_t			*root, *v;
	const char		*errstr;
	char			 phone[64];
	json_int_t		 val;
	int			 rc = -1;

	memset(m, 0, sizeof(*m));
	if ((root = load(body, len, e)) == NULL)
		return -1;
	if (known_fields(root, message_fields, e) == -1 ||
	    get_string(root, "phone", 1, phone, sizeof(phone), e) == -1 ||
	    get_string(root, "text", 1, m->text, sizeof(m->text), e) == -1)
		goto out;
	if (ident_phone_parse(phone, m->phone, &kind, &errstr) == -1) {
		(void)fail(e, "invalid_phone", _("field 'phone': %s"),
		    _(errstr));
		goto out;
	}
	if ((v = json_object_get(root, "validity_s")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_integer(v)) {
			(void)fail(e, "wrong_type", _("field '%s' must be a "
			    "whole number"), "validity_s");
			goto out;
		}
		val = json_integer_value(v);
		if (val < 1 || val > OUTBOX_VALIDITY_MAX) {
			(void)fail(e, "invalid_validity", _("field "
			    "'validity_s' must be 1-%d seconds"),
			    OUTBOX_VALIDITY_MAX);
			goto out;
		}
		m->validity_s = (long)val;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static const char *const broadcast_fields[] = {
	"group", "text", "topic", "at", "emergency", NULL,
};

int
apibody_broadcast(const char *body, size_t len, time_t now,
    struct apibody_broadcast *b, struct apibody_error *e)
{
	json_t		*root, *v;
	const char	*errstr;
	char		 at[64], err[BROADCAST_ERR_SIZE];
	int		 r, rc = -1;

	memset(b, 0, sizeof(*b));
	if ((root = load(body, len, e)) == NULL)
		return -1;
	if (known_fields(root, broadcast_fields, e) == -1 ||
	    get_string(root, "group", 1, b->group, sizeof(b->group), e) ==
	    -1 ||
	    get_string(root, "text", 1, b->text, sizeof(b->text), e) == -1 ||
	    get_string(root, "topic", 0, b->topic, sizeof(b->topic), e) ==
	    -1 || (r = get_string(root, "at", 0, at, sizeof(at), e)) == -1)
		goto out;
	if (broadcast_check_text(b->text, err, sizeof(err)) == -1) {
		(void)fail(e, "invalid_text", _("field 'text': %s"), err);
		goto out;
	}
	if (r == 1 && broadcast_parse_time(at, now, &b->at, &errstr) == -1) {
		(void)fail(e, "invalid_time", _("field 'at': %s"), _(errstr));
		goto out;
	}
	if ((v = json_object_get(root, "emergency")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			(void)fail(e, "wrong_type", _("field '%s' must be "
			    "true or false"), "emergency");
			goto out;
		}
		b->emergency = json_is_true(v);
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

#define ROWS_MAX_KEYS	64	/* the import keeps 64 fields of a record */

/* v quoted as a CSV field (RFC 4180: doubled quotes) onto fp. */
static void
csv_field(FILE *fp, const char *v, size_t n, int first)
{
	size_t	 i;

	if (!first)
		(void)putc(',', fp);
	(void)putc('"', fp);
	for (i = 0; i < n; i++) {
		if (v[i] == '"')
			(void)putc('"', fp);
		(void)putc(v[i], fp);
	}
	(void)putc('"', fp);
}

int
apibody_rows(const char *body, size_t len, size_t max_rows, char **csv,
    size_t *csvlen, struct apibody_error *e, size_t *row,
    char field[APIBODY_FIELD_SIZE])
{
	const char	*keys[ROWS_MAX_KEYS], *key;
	json_error_t	 je;
	json_t		*root, *o, *v;
	FILE		*fp = NULL;
	char		 num[32];
	size_t		 nkeys = 0, i, k;
	int		 rc = -1, empty;

	*csv = NULL;
	*csvlen = 0;
	*row = 0;
	field[0] = '\0';
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL)
		return fail(e, "bad_json", _("malformed JSON at %d:%d: %s"),
		    je.line, je.column, je.text);
	if (!json_is_array(root) || json_array_size(root) == 0) {
		(void)fail(e, "bad_json", "%s", _("the body must be a JSON "
		    "array of objects, one a row, with at least one"));
		goto out;
	}
	if (max_rows > 0 && json_array_size(root) > max_rows) {
		(void)fail(e, "too_many_rows", _("the body has %zu rows; "
		    "[http] max_rows is %zu"), json_array_size(root), max_rows);
		goto out;
	}
	/* The header: every key met, in the order met. */
	json_array_foreach(root, i, o) {
		*row = i + 1;
		if (!json_is_object(o)) {
			(void)fail(e, "bad_row", "%s", _("a row must be a JSON "
			    "object"));
			goto out;
		}
		empty = 1;
		json_object_foreach(o, key, v) {
			(void)util_strlcpy(field, key, APIBODY_FIELD_SIZE);
			if (!json_is_string(v) && !json_is_integer(v) &&
			    !json_is_null(v)) {
				(void)fail(e, "bad_row", "%s", _("a value must "
				    "be a string, a whole number or null (write "
				    "amounts as strings: \"12.50\")"));
				goto out;
			}
			if (!json_is_null(v) && (!json_is_string(v) ||
			    json_string_length(v) > 0))
				empty = 0;
			for (k = 0; k < nkeys; k++)
				if (strcmp(keys[k], key) == 0)
					break;
			if (k < nkeys)
				continue;
			if (nkeys == ROWS_MAX_KEYS) {
				(void)fail(e, "bad_row", _("more than %d "
				    "different keys"), ROWS_MAX_KEYS);
				goto out;
			}
			keys[nkeys++] = key;
		}
		/* The import passes over an empty row: it would count wrong. */
		if (empty) {
			field[0] = '\0';
			(void)fail(e, "bad_row", "%s", _("the row is empty"));
			goto out;
		}
	}
	*row = 0;
	field[0] = '\0';
	if ((fp = open_memstream(csv, csvlen)) == NULL) {
		(void)fail(e, "internal", "%s", _("out of memory"));
		goto out;
	}
	for (k = 0; k < nkeys; k++)
		csv_field(fp, keys[k], strlen(keys[k]), k == 0);
	(void)fputs("\r\n", fp);
	json_array_foreach(root, i, o) {
		for (k = 0; k < nkeys; k++) {
			v = json_object_get(o, keys[k]);
			if (json_is_string(v))
				csv_field(fp, json_string_value(v),
				    json_string_length(v), k == 0);
			else if (json_is_integer(v)) {
				(void)util_snprintf(num, sizeof(num), "%lld",
				    (long long)json_integer_value(v));
				csv_field(fp, num, strlen(num), k == 0);
			} else
				csv_field(fp, "", 0, k == 0);
		}
		(void)fputs("\r\n", fp);
	}
	if (ferror(fp) || fclose(fp) == EOF) {
		fp = NULL;
		(void)fail(e, "internal", "%s", _("out of memory"));
		goto out;
	}
	fp = NULL;
	rc = 0;
out:
	if (fp != NULL)
		(void)fclose(fp);
	if (rc == -1) {
		free(*csv);
		*csv = NULL;
		*csvlen = 0;
	}
	json_decref(root);
	return rc;
}
