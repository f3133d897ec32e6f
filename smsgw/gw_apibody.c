/*
 * apibody: JSON request bodies of the HTTP API to checked C structs, with
 * jansson. Strict on purpose: a field the API does not know is an error, not
 * something ignored, so a client's typo ("phnoe") is found at once.
 */
#include <stdarg.h>
#include <stdio.h>
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
