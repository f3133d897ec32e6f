/*
 * config: read muni.conf with libinih and check every value against the
 * key table in config.h. All problems in a file are reported together, each
 * as FILE:LINE, so an administrator fixes them in one pass.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "callback.h"
#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "smstext.h"
#include "util.h"

#define CONFIG_MAX_ERRORS	20
/* libinih's fixed line buffer is 200 bytes including CR, LF and NUL. */
#define CONFIG_MAX_LINE		197

enum config_type {
	T_STR, T_SECRET, T_INT, T_BOOL, T_ENUM, T_TIMERANGE, T_PRICE,
	T_USSDCODE, T_LANGS, T_IBAN, T_BIC, T_HOSTPORT, T_PHONES,
	T_TZNAME, T__COUNT
};

#define STR T_STR
#define SECRET T_SECRET
#define INT T_INT
#define BOOL T_BOOL
#define ENUM T_ENUM
#define TIMERANGE T_TIMERANGE
#define PRICE T_PRICE
#define USSDCODE T_USSDCODE
#define LANGS T_LANGS
#define IBAN T_IBAN
#define BIC T_BIC
#define HOSTPORT T_HOSTPORT
#define PHONES T_PHONES
#define TZNAME T_TZNAME
#define X(id, sec, key, type, def, min, max)				\
	{ sec, key, sec "." key, type, def, min, max },
static const struct config_def {
	const char	*section;
	const char	*key;
	const char	*name;
	enum config_type type;
	const char	*def;
	long long	 min, max;
} config_defs[CFG__COUNT] = {
	CONFIG_KEYS(X)
};
#undef X
#undef STR
#undef SECRET
#undef INT
#undef BOOL
#undef ENUM
#undef TIMERANGE
#undef PRICE
#undef USSDCODE
#undef LANGS
#undef IBAN
#undef BIC
#undef HOSTPORT
#undef PHONES
#undef TZNAME

/* The values an ENUM key may take. */
static const struct {
	enum config_key	 key;
	const char	*values[6];
} config_enums[] = {
	{ CFG_SMS_ENCODING, { SMSTEXT_POLICY_NAMES_CONFIG, NULL } },
	{ CFG_SMSC_MSG_ID_TYPE, { "hex", "decimal", NULL } },
	{ CFG_SMSC_BIND_MODE, { "transceiver", "pair", "auto", NULL } },
	{ CFG_SMSC_LONG_MODE, { "udh", "payload", NULL } },
	{ CFG_KIOSK_SPEECH, { "off", "key", "on", NULL } },
};

/* Languages muni has catalogues for; Latvian is always first. */
static const char *config_known_langs[] = { "lv", "en", "ru", "uk" };

struct config_value {
	char		*s;
	long long	 i;
	double		 d;
	int		 a, b;		/* TIMERANGE minutes */
	int		 line;		/* 0: default */
};

/* An [smsc.NAME] section: only its [smsc] keys are used. */
struct config_bind {
	char			 name[CONFIG_BIND_NAME_MAX + 1];
	int			 line;
	struct config_value	 v[CFG__COUNT];
};

struct config {
	char			*path;
	struct config_value	 v[CFG__COUNT];
	int			 smsc_seen;	/* the file has [smsc] */
	int			 nnamed;
	struct config_bind	 named[CONFIG_BINDS_MAX];
	int			 ncallbacks;
	struct config_cb {
		char	 name[CONFIG_BIND_NAME_MAX + 1];
		char	 url[CONFIG_CALLBACK_URL_MAX + 1];
		char	 secret_file[4097];
		unsigned events;
		int	 timeout_s, retry_h;
		/* Where the section and each key were: 0 not seen. */
		int	 line, l_url, l_events, l_secret, l_timeout, l_retry;
	}			 callbacks[CONFIG_CALLBACKS_MAX];
};

struct config_parse {
	struct config	*cfg;
	const char	*file;
	FILE		*fp;
	int		 line;
	int		 nerr;
	int		 section_ok;
	char		*errbuf;
	size_t		 errlen;
};

static void config_error(struct config_parse *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static int config_binds_main(const struct config *);
static void config_check_private(struct config_parse *, int, const char *,
    const char *, const char *);
static const struct config_value *config_bind_values(const struct config *,
    int);

static void
config_error(struct config_parse *p, int line, const char *fmt, ...)
{
	char	 msg[512], full[700];
	va_list	 ap;
	size_t	 n;

	if (++p->nerr > CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		(void)snprintf(full, sizeof(full), "%s:%d: %s\n", p->file,
		    line, msg);
	else
		(void)snprintf(full, sizeof(full), "%s: %s\n", p->file, msg);
	n = strlen(full);
	p->errbuf = xreallocarray(p->errbuf, p->errlen + n + 1, 1);
	memcpy(p->errbuf + p->errlen, full, n + 1);
	p->errlen += n;
}

static int
parse_hhmm(const char *s, int *min)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	*min = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 +
	    (s[3] - '0') * 10 + (s[4] - '0');
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23 ||
	    (s[3] - '0') * 10 + (s[4] - '0') > 59)
		return -1;
	return 0;
}

/*
 * One value being checked: its key and definition, its text, and where the
 * result goes. Each type's parser below takes one of these and returns an
 * error message or NULL.
 */
struct config_arg {
	enum config_key		 key;
	const struct config_def	*def;
	const char		*value;
	size_t			 len;
	struct config_value	*v;
};

/* An error message built for one value; good until the next one. */
static char config_msg[256];

static const char *config_msgf(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static const char *
config_msgf(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(config_msg, sizeof(config_msg), fmt, ap);
	va_end(ap);
	return config_msg;
}

static const char *
config_parse_str(struct config_arg *a)
{
	if ((long long)util_utf8_len(a->value) < a->def->min)
		return _("must not be empty");
	if ((long long)util_utf8_len(a->value) > a->def->max)
		return config_msgf(_("is longer than %lld characters"),
		    a->def->max);
	return NULL;
}

static const char *
config_parse_int(struct config_arg *a)
{
	const char	*errstr;
	long long	 n;

	if (util_strtonum(a->value, a->def->min, a->def->max, &n,
	    &errstr) == -1)
		return config_msgf(_("'%s' %s (allowed %lld-%lld)"), a->value,
		    _(errstr), a->def->min, a->def->max);
	a->v->i = n;
	return NULL;
}

static const char *
config_parse_bool(struct config_arg *a)
{
	const char	*s = a->value;

	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		a->v->i = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		a->v->i = 0;
	else
		return _("must be yes or no");
	return NULL;
}

static const char *
config_parse_enum(struct config_arg *a)
{
	const char *const	*e;
	size_t			 i, m;

	for (i = 0; i < nitems(config_enums); i++) {
		if (config_enums[i].key != a->key)
			continue;
		for (e = config_enums[i].values; *e != NULL; e++)
			if (strcmp(*e, a->value) == 0)
				return NULL;
		(void)config_msgf(_("'%s' is not one of"), a->value);
		for (e = config_enums[i].values; *e != NULL; e++) {
			m = strlen(config_msg);
			(void)snprintf(config_msg + m, sizeof(config_msg) - m,
			    " %s", *e);
		}
		return config_msg;
	}
	fatalx("config: %s has no value list", a->def->name);
}

static const char *
config_parse_timerange(struct config_arg *a)
{
	const char	*s = a->value;

	if (a->len == 0 || strcmp(s, "none") == 0) {
		a->v->a = a->v->b = 0;
		return NULL;
	}
	if (a->len != 11 || s[5] != '-' || parse_hhmm(s, &a->v->a) == -1 ||
	    parse_hhmm(s + 6, &a->v->b) == -1)
		return _("must be HH:MM-HH:MM (e.g. 21:00-08:00) or none");
	return NULL;
}

static const char *
config_parse_price(struct config_arg *a)
{
	char	*end;
	double	 dv;

	errno = 0;
	dv = strtod(a->value, &end);
	/* Written so that NaN fails too. */
	if (a->len == 0 || *end != '\0' || errno != 0 ||
	    !(dv >= a->def->min && dv <= a->def->max))
		return config_msgf(_("'%s' is not a price between %lld and "
		    "%lld (e.g. 0.04)"), a->value, a->def->min, a->def->max);
	a->v->d = dv;
	return NULL;
}

static const char *
config_parse_ussdcode(struct config_arg *a)
{
	const char	*s = a->value;
	size_t		 i, len = a->len;

	if (len < 3 || len > 20 || s[0] != '*' || s[len - 1] != '#')
		return _("must look like *505# (a star, digits and stars, a "
		    "hash)");
	for (i = 1; i < len - 1; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '*')
			return _("must look like *505# (a star, digits and "
			    "stars, a hash)");
	return NULL;
}

static const char *
config_parse_langs(struct config_arg *a)
{
	char		*copy = xstrdup(a->value), *tok, *save = NULL;
	const char	*err = NULL;
	int		 has_lv = 0, known;
	size_t		 i;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		known = 0;
		for (i = 0; i < nitems(config_known_langs); i++)
			if (strcmp(tok, config_known_langs[i]) == 0)
				known = 1;
		if (!known) {
			err = config_msgf(_("unknown language '%s' (known: lv "
			    "en ru uk)"), tok);
			break;
		}
		if (strcmp(tok, "lv") == 0)
			has_lv = 1;
	}
	free(copy);
	if (err != NULL)
		return err;
	if (!has_lv)
		return _("must include lv: Latvian is always offered");
	return NULL;
}

/* An empty IBAN is allowed; a given one is kept in its printed form. */
static const char *
config_parse_iban(struct config_arg *a)
{
	char		 iban[IDENT_IBAN_SIZE];
	const char	*errstr;

	if (a->len == 0)
		return NULL;
	if (ident_iban_parse(a->value, iban, &errstr) == -1)
		return errstr;
	a->v->s = xstrdup(iban);
	return NULL;
}

static const char *
config_parse_bic(struct config_arg *a)
{
	const char	*s = a->value;
	size_t		 i, len = a->len;

	if (len != 0 && len != 8 && len != 11)
		return _("must have 8 or 11 characters, or be empty");
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) ||
		    (i < 6 && !isupper((unsigned char)s[i])))
			return _("is not a BIC (e.g. RIKOLV2X)");
	return NULL;
}

/* Comma-separated mobile numbers, stored as E.164 the same way. */
static const char *
config_parse_phones(struct config_arg *a)
{
	char		*copy = xstrdup(a->value), *tok, *save = NULL;
	char		 e164[IDENT_PHONE_SIZE], norm[512];
	const char	*errstr, *err = NULL;
	enum ident_phone_kind kind;

	norm[0] = '\0';
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (ident_phone_parse(tok, e164, &kind, &errstr) == -1 ||
		    kind == IDENT_PHONE_LV_FIXED) {
			err = config_msgf(_("'%.40s' is not a mobile number"),
			    util_trim(tok));
			break;
		}
		if (strlen(norm) + strlen(e164) + 2 > sizeof(norm)) {
			err = _("too many numbers");
			break;
		}
		if (norm[0] != '\0')
			strncat(norm, ",", sizeof(norm) - strlen(norm) - 1);
		strncat(norm, e164, sizeof(norm) - strlen(norm) - 1);
	}
	free(copy);
	if (err != NULL)
		return err;
	a->v->s = xstrdup(norm);
	return NULL;
}

static const char *
config_parse_tzname(struct config_arg *a)
{
	const char	*errstr;

	/* Checked at start: a zone that is not there is an error, not a
	   silent UTC. */
	if (clock_zone_check(a->value, &errstr) == -1)
		return config_msgf("'%.64s' %s", a->value, errstr);
	return NULL;
}

static const char *
config_parse_hostport(struct config_arg *a)
{
	const char	*colon = strrchr(a->value, ':'), *errstr;
	long long	 n;

	if (colon == NULL || colon == a->value ||
	    util_strtonum(colon + 1, 1, 65535, &n, &errstr) == -1)
		return _("must be HOST:PORT (e.g. 127.0.0.1:8080)");
	return NULL;
}

/* The parser of each value type; a new type adds its row here. */
static const char *(*const config_parsers[T__COUNT])(struct config_arg *) = {
	[T_STR]		= config_parse_str,
	[T_SECRET]	= config_parse_str,
	[T_INT]		= config_parse_int,
	[T_BOOL]	= config_parse_bool,
	[T_ENUM]	= config_parse_enum,
	[T_TIMERANGE]	= config_parse_timerange,
	[T_PRICE]	= config_parse_price,
	[T_USSDCODE]	= config_parse_ussdcode,
	[T_LANGS]	= config_parse_langs,
	[T_IBAN]	= config_parse_iban,
	[T_BIC]		= config_parse_bic,
	[T_HOSTPORT]	= config_parse_hostport,
	[T_PHONES]	= config_parse_phones,
	[T_TZNAME]	= config_parse_tzname,
};

/*
 * Check value for key and fill v (whose s is NULL on entry); returns an
 * error message or NULL. The text is kept as written unless the type's
 * parser stored a normalised form (IBAN, PHONES).
 */
static const char *
config_parse_value(enum config_key k, const char *value,
    struct config_value *v)
{
	struct config_arg	 a = { k, &config_defs[k], value,
				       strlen(value), v };
	const char		*err;

	if (!util_utf8_valid(value, a.len))
		return _("is not valid UTF-8");
	if (config_parsers[a.def->type] == NULL)
		fatalx("config: %s has no parser", a.def->name);
	if ((err = config_parsers[a.def->type](&a)) != NULL)
		return err;
	if (v->s == NULL)
		v->s = xstrdup(value);
	return NULL;
}

/* Set v from value only when value is good: a bad one changes nothing. */
static const char *
config_convert(enum config_key k, const char *value, struct config_value *v)
{
	struct config_value	 tmp = *v;
	const char		*err;

	tmp.s = NULL;
	if ((err = config_parse_value(k, value, &tmp)) != NULL) {
		free(tmp.s);
		return err;
	}
	free(v->s);
	*v = tmp;
	return NULL;
}

static int
config_find(const char *section, const char *key)
{
	int	 i;

	for (i = 0; i < CFG__COUNT; i++)
		if (strcmp(config_defs[i].section, section) == 0 &&
		    (key == NULL || strcmp(config_defs[i].key, key) == 0))
			return i;
	return -1;
}

/* The key of section nearest to key, for "did you mean" hints. */
static const char *
config_nearest(const char *section, const char *key)
{
	const char	*best = NULL;
	size_t		 bestd = 3, d;
	int		 i;

	for (i = 0; i < CFG__COUNT; i++) {
		if (section != NULL &&
		    strcmp(config_defs[i].section, section) != 0)
			continue;
		d = util_edit_distance(section != NULL ? config_defs[i].key :
		    config_defs[i].section, key);
		if (d < bestd) {
			bestd = d;
			best = section != NULL ? config_defs[i].key :
			    config_defs[i].section;
		}
	}
	return best;
}

static struct config_bind *
config_bind_find(struct config *cfg, const char *name)
{
	int	 i;

	for (i = 0; i < cfg->nnamed; i++)
		if (strcmp(cfg->named[i].name, name) == 0)
			return &cfg->named[i];
	return NULL;
}

static void
config_bind_defaults(struct config_value *v)
{
	const char	*err;
	int		 i;

	for (i = 0; i < CFG__COUNT; i++) {
		if (strcmp(config_defs[i].section, "smsc") != 0)
			continue;
		if ((err = config_convert(i, config_defs[i].def, &v[i])) !=
		    NULL)
			fatalx("config: default of %s: %s",
			    config_defs[i].name, err);
		v[i].line = 0;
	}
}

/* An [smsc.NAME] header: 1 when its keys may follow, 0 after an error. */
static int
config_bind_open(struct config_parse *p, const char *name)
{
	struct config_bind	*b;
	size_t			 i, len = strlen(name);

	if (len == 0 || len > CONFIG_BIND_NAME_MAX) {
		config_error(p, p->line, _("[smsc.NAME]: the name must have "
		    "1 to %d characters"), CONFIG_BIND_NAME_MAX);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_') {
			config_error(p, p->line, _("[smsc.%s]: a bind's name "
			    "has only letters, digits, '-' and '_'"), name);
			return 0;
		}
	if (strcmp(name, "smsc") == 0) {
		config_error(p, p->line, _("[smsc.smsc]: the name smsc belongs "
		    "to the plain [smsc] section"));
		return 0;
	}
	if (config_bind_find(p->cfg, name) != NULL)
		return 1;	/* a section may continue further down */
	if (p->cfg->nnamed == CONFIG_BINDS_MAX) {
		config_error(p, p->line, _("[smsc.%s]: more than %d binds"),
		    name, CONFIG_BINDS_MAX);
		return 0;
	}
	b = &p->cfg->named[p->cfg->nnamed++];
	(void)util_strlcpy(b->name, name, sizeof(b->name));
	b->line = p->line;
	config_bind_defaults(b->v);
	return 1;
}

/*
 * [http.callback.NAME]: sections of their own, not the table's, since a
 * callback has keys no other section has and there may be several.
 */
#define CB_SECTION	"http.callback."
#define CB_SECTION_LEN	(sizeof(CB_SECTION) - 1)
#define CB_TIMEOUT_DEF	10
#define CB_RETRY_DEF	24

static struct config_cb *
config_cb_find(struct config *cfg, const char *name)
{
	int	 i;

	for (i = 0; i < cfg->ncallbacks; i++)
		if (strcmp(cfg->callbacks[i].name, name) == 0)
			return &cfg->callbacks[i];
	return NULL;
}

static int
config_cb_open(struct config_parse *p, const char *name)
{
	struct config_cb *cb;
	size_t		 i, len = strlen(name);

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_')
			break;
	if (len == 0 || len > CONFIG_BIND_NAME_MAX || i < len) {
		config_error(p, p->line, _("[http.callback.%s]: a callback's "
		    "name has 1 to %d letters, digits, '-' and '_'"), name,
		    CONFIG_BIND_NAME_MAX);
		return 0;
	}
	if (config_cb_find(p->cfg, name) != NULL)
		return 1;	/* a section may continue further down */
	if (p->cfg->ncallbacks == CONFIG_CALLBACKS_MAX) {
		config_error(p, p->line, _("[http.callback.%s]: more than %d "
		    "callbacks"), name, CONFIG_CALLBACKS_MAX);
		return 0;
	}
	cb = &p->cfg->callbacks[p->cfg->ncallbacks++];
	(void)util_strlcpy(cb->name, name, sizeof(cb->name));
	cb->line = p->line;
	cb->timeout_s = CB_TIMEOUT_DEF;
	cb->retry_h = CB_RETRY_DEF;
	return 1;
}

/* A number key of a callback: 0, or -1 after saying what is wrong. */
static int
config_cb_int(struct config_parse *p, const char *name, const char *key,
    const char *value, long long min, long long max, int *out)
{
	const char	*errstr;
	long long	 n;

	if (util_strtonum(value, min, max, &n, &errstr) == -1) {
		config_error(p, p->line, _("http.callback.%s.%s: '%s' %s "
		    "(%lld to %lld)"), name, key, value, errstr, min, max);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int
config_cb_key(struct config_parse *p, const char *name, const char *key,
    const char *value)
{
	struct config_cb *cb;
	char		 bad[32];
	int		*line;

	if ((cb = config_cb_find(p->cfg, name)) == NULL)
		return 1;
	if (strcmp(key, "url") == 0)
		line = &cb->l_url;
	else if (strcmp(key, "events") == 0)
		line = &cb->l_events;
	else if (strcmp(key, "secret_file") == 0)
		line = &cb->l_secret;
	else if (strcmp(key, "timeout_s") == 0)
		line = &cb->l_timeout;
	else if (strcmp(key, "retry_h") == 0)
		line = &cb->l_retry;
	else {
		config_error(p, p->line, _("unknown key '%s' in "
		    "[http.callback.%s] (a callback has url, events, "
		    "secret_file, timeout_s and retry_h)"), key, name);
		return 1;
	}
	if (*line != 0) {
		config_error(p, p->line, _("http.callback.%s.%s is set twice "
		    "(first on line %d)"), name, key, *line);
		return 1;
	}
	*line = p->line;
	if (line == &cb->l_url) {
		if (util_strlcpy(cb->url, value, sizeof(cb->url)) == -1)
			config_error(p, p->line, _("http.callback.%s.url is "
			    "longer than %d characters"), name,
			    CONFIG_CALLBACK_URL_MAX);
	} else if (line == &cb->l_secret) {
		if (util_strlcpy(cb->secret_file, value,
		    sizeof(cb->secret_file)) == -1)
			config_error(p, p->line, _("http.callback.%s."
			    "secret_file is too long"), name);
	} else if (line == &cb->l_events) {
		if (callback_events_parse(value, &cb->events, bad,
		    sizeof(bad)) == -1)
			config_error(p, p->line, _("http.callback.%s.events: "
			    "unknown event '%s' (message.final, "
			    "broadcast.done, mo.unhandled, case.created, "
			    "case.changed)"), name, bad);
	} else if (line == &cb->l_timeout)
		(void)config_cb_int(p, name, key, value, 1, 300,
		    &cb->timeout_s);
	else
		(void)config_cb_int(p, name, key, value, 1, 720,
		    &cb->retry_h);
	return 1;
}

/*
 * The URL's host is this machine: plain http is allowed there only, since
 * a callback's body names phones and cases.
 */
static int
config_cb_local(const char *url)
{
	static const char *const local[] = { "localhost", "127.0.0.1",
	    "[::1]" };
	const char	*h = url + strlen("http://");
	size_t		 i, n;

	for (i = 0; i < nitems(local); i++) {
		n = strlen(local[i]);
		if (strncasecmp(h, local[i], n) == 0 && (h[n] == '\0' ||
		    h[n] == ':' || h[n] == '/'))
			return 1;
	}
	return 0;
}

/* What a callback needs and the parser alone cannot check. */
static void
config_cb_check(struct config_parse *p, struct config *cfg)
{
	struct config_cb *cb;
	char		 key[CONFIG_BIND_NAME_MAX + 32];
	int		 i;

	for (i = 0; i < cfg->ncallbacks; i++) {
		cb = &cfg->callbacks[i];
		if (cb->l_url == 0)
			config_error(p, cb->line, _("[http.callback.%s] has no "
			    "url"), cb->name);
		else if (strncasecmp(cb->url, "https://", 8) != 0 &&
		    (strncasecmp(cb->url, "http://", 7) != 0 ||
		    !config_cb_local(cb->url)))
			config_error(p, cb->l_url, _("http.callback.%s.url: "
			    "'%s' is neither https:// nor http:// to this "
			    "host (localhost, 127.0.0.1, [::1])"), cb->name,
			    cb->url);
		if (cb->events == 0)
			config_error(p, cb->l_events != 0 ? cb->l_events :
			    cb->line, _("[http.callback.%s] lists no events"),
			    cb->name);
		if (cb->l_secret == 0 || cb->secret_file[0] == '\0')
			config_error(p, cb->line, _("[http.callback.%s] has no "
			    "secret_file (the shared secret that signs each "
			    "post)"), cb->name);
		else {
			(void)snprintf(key, sizeof(key),
			    "http.callback.%s.secret_file", cb->name);
			config_check_private(p, cb->l_secret, key, "secret",
			    cb->secret_file);
		}
	}
}

static int
config_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct config_parse	*p = user;
	struct config_value	*vals = p->cfg->v;
	struct config_bind	*b;
	const char		*err, *near, *table = section;
	char			 name[CONFIG_BIND_NAME_MAX + 64];
	int			 k;

	if (!p->section_ok)
		return 1;	/* reported once, at the section header */
	if (strncmp(section, CB_SECTION, CB_SECTION_LEN) == 0)
		return config_cb_key(p, section + CB_SECTION_LEN, key, value);
	if (strncmp(section, "smsc.", 5) == 0) {
		/* A named bind: the [smsc] keys, its own values. */
		if ((b = config_bind_find(p->cfg, section + 5)) == NULL)
			return 1;
		vals = b->v;
		table = "smsc";
	}
	if ((k = config_find(table, key)) == -1) {
		near = config_nearest(table, key);
		if (near != NULL)
			config_error(p, p->line, _("unknown key '%s' in [%s] "
			    "(did you mean '%s'?)"), key, section, near);
		else
			config_error(p, p->line, _("unknown key '%s' in [%s]"),
			    key, section);
		return 1;
	}
	(void)snprintf(name, sizeof(name), "%s.%s", section, key);
	if (vals[k].line != 0) {
		config_error(p, p->line,
		    _("%s is set twice (first on line %d)"), name,
		    vals[k].line);
		return 1;
	}
	if ((err = config_convert(k, value, &vals[k])) != NULL) {
		config_error(p, p->line, "%s: %s", name, err);
		return 1;
	}
	vals[k].line = p->line;
	return 1;
}

/*
 * inih's line reader, wrapped to count lines and to check what inih cannot
 * tell us about: overlong lines, unknown sections and lines without '='.
 */
static char *
config_reader(char *buf, int size, void *user)
{
	struct config_parse	*p = user;
	char			 line[1024], name[128], *s, *e, *near;
	size_t			 len;

	if (fgets(line, sizeof(line), p->fp) == NULL)
		return NULL;
	p->line++;
	len = strlen(line);
	if (len > 0 && line[len - 1] != '\n' && !feof(p->fp)) {
		int	 c;

		while ((c = fgetc(p->fp)) != EOF && c != '\n')
			;
		config_error(p, p->line, _("line is too long (limit %d "
		    "characters)"), CONFIG_MAX_LINE);
		line[0] = '\0';
	} else if (len > CONFIG_MAX_LINE) {
		config_error(p, p->line, _("line is too long (limit %d "
		    "characters)"), CONFIG_MAX_LINE);
		line[0] = '\0';
	}
	s = line;
	if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL || (size_t)(e - s - 1) >=
		    sizeof(name)) {
			config_error(p, p->line, _("malformed section header"));
			p->section_ok = 0;
			line[0] = '\0';
		} else {
			memcpy(name, s + 1, (size_t)(e - s - 1));
			name[e - s - 1] = '\0';
			if (strncmp(name, "smsc.", 5) == 0)
				p->section_ok = config_bind_open(p, name + 5);
			else if (strncmp(name, CB_SECTION, CB_SECTION_LEN) == 0)
				p->section_ok = config_cb_open(p,
				    name + CB_SECTION_LEN);
			else if ((p->section_ok = config_find(name, NULL) !=
			    -1) && strcmp(name, "smsc") == 0)
				p->cfg->smsc_seen = 1;
			if (!p->section_ok && strncmp(name, "smsc.", 5) != 0 &&
			    strncmp(name, CB_SECTION, CB_SECTION_LEN) != 0) {
				char	*dot = strchr(name, '.');
				char	 sect[sizeof(name) + 1];
				char	 hint[sizeof(name) + 8];

				/* [smcs.backup]: the hint is [smsc.backup]. */
				if (dot != NULL)
					*dot = '\0';
				if (dot == NULL)
					near = (char *)config_nearest(NULL,
					    name);
				else	/* only [smsc] has named sections */
					near = util_edit_distance(name,
					    "smsc") < 3 ? "smsc" : NULL;
				(void)snprintf(sect, sizeof(sect), "%s%s%s",
				    name, dot ? "." : "", dot ? dot + 1 : "");
				(void)snprintf(hint, sizeof(hint), "%s%s%s",
				    near ? near : "", near && dot ? "." : "",
				    near && dot ? dot + 1 : "");
				if (near != NULL)
					config_error(p, p->line, _("unknown "
					    "section [%s] (did you mean "
					    "[%s]?)"), sect, hint);
				else
					config_error(p, p->line, _("unknown "
					    "section [%s]"), sect);
			}
		}
	} else if (*s != '\0' && *s != '\n' && *s != '\r' && *s != ';' &&
	    *s != '#' && strchr(s, '=') == NULL) {
		config_error(p, p->line, _("expected 'key = value'"));
		line[0] = '\0';
	} else if (*s != '\0' && *s != '\n' && *s != '\r' && *s != ';' &&
	    *s != '#' && p->line > 0 && strchr(s, '=') == s) {
		config_error(p, p->line, _("a key is missing before '='"));
		line[0] = '\0';
	}
	if (util_strlcpy(buf, line, (size_t)size) == -1)
		buf[0] = '\0';	/* cannot happen: checked above */
	return buf;
}

/*
 * The chmod that takes others' access away from a file of mode m: 640 when
 * its group may read it (a service's group, e.g. root:muni), else 600.
 */
static const char *
config_safe_mode(mode_t m)
{
	return (m & S_IRGRP) ? "640" : "600";
}

/*
 * A file of secrets named by key (a token, a password) that others can
 * read or write: an error at line that names the chmod. A missing file is
 * for its user to report.
 */
static void
config_check_private(struct config_parse *p, int line, const char *key,
    const char *what, const char *path)
{
	struct stat	 st;
	char		*real;

	if (stat(path, &st) == -1 || !(st.st_mode & (S_IROTH | S_IWOTH)))
		return;
	/* The absolute path: the fix works from anywhere. */
	real = realpath(path, NULL);
	config_error(p, line, _("%s: the %s file %s is %s by others: run "
	    "`chmod %s %s`"), key, what, path,
	    (st.st_mode & S_IROTH) ? _("readable") : _("writable"),
	    config_safe_mode(st.st_mode), real != NULL ? real : path);
	free(real);
}

/*
 * The API's token file is the gateway's alone: its group (muni) has the
 * kiosks in it, which have no business with the token. One rule, mode
 * 600, checked wherever the configuration is read: at start, by -n and
 * on SIGHUP, with the same message.
 */
static void
config_check_token(struct config_parse *p, int line, const char *key,
    const char *path)
{
	struct stat	 st;
	const char	*how;
	char		*real;

	if (stat(path, &st) == -1 || !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return;
	if (st.st_mode & (S_IROTH | S_IWOTH | S_IXOTH))
		how = (st.st_mode & S_IROTH) ? "readable by others" :
		    "writable by others";
	else
		how = (st.st_mode & S_IRGRP) ? "readable by its group" :
		    "writable by its group";
	real = realpath(path, NULL);
	config_error(p, line, "%s: the token file %s is %s: run `chmod 600 "
	    "%s` (the gateway's user alone may read it)", key, path, how,
	    real != NULL ? real : path);
	free(real);
}

/*
 * A secret in a file others can read (or write) is a secret no longer:
 * refuse to run, and say which chmod fixes it. Group access is left to
 * the administrator (the service's group may need to read the file).
 */
static void
config_check_secrets(struct config_parse *p, struct config *cfg)
{
	struct stat	 st;
	const struct config_value *v;
	const char	*tf = cfg->v[CFG_HTTP_TOKEN_FILE].s, *pf;
	char		*real, what[64];
	int		 i, b, line = 0;

	for (i = 0; i < CFG__COUNT && line == 0; i++)
		if (config_defs[i].type == T_SECRET && cfg->v[i].line != 0 &&
		    cfg->v[i].s[0] != '\0') {
			line = cfg->v[i].line;
			(void)util_strlcpy(what, config_defs[i].name, sizeof(what));
		}
	/* A named bind's password is as secret as [smsc]'s. */
	for (b = config_binds_main(cfg); b < config_binds(cfg) && line == 0;
	    b++) {
		v = config_bind_values(cfg, b);
		if (v[CFG_SMSC_PASSWORD].s[0] == '\0')
			continue;
		line = v[CFG_SMSC_PASSWORD].line;
		(void)snprintf(what, sizeof(what), "smsc.%s.password",
		    config_bind_name(cfg, b));
	}
	if (line != 0) {
		if (fstat(fileno(p->fp), &st) == -1)
			config_error(p, 0,
			    _("cannot check the permissions: %s"),
			    strerror(errno));
		else if (st.st_mode & (S_IROTH | S_IWOTH)) {
			/* The absolute path: the fix works from anywhere. */
			real = realpath(p->file, NULL);
			config_error(p, line, _("%s is a secret and "
			    "the file is %s by others: run `chmod %s %s`"),
			    what,
			    (st.st_mode & S_IROTH) ? _("readable") :
			    _("writable"), config_safe_mode(st.st_mode),
			    real != NULL ? real : p->file);
			free(real);
		}
	}
	/*
	 * A bind's password_file: one of the two, not both (which would
	 * win is not obvious), and like the token file, not others'. A
	 * missing or unreadable file is for the gateway to report (the
	 * kiosk reads this file too, and must not need it).
	 */
	for (b = 0; b < config_binds(cfg); b++) {
		v = config_bind_values(cfg, b);
		pf = v[CFG_SMSC_PASSWORD_FILE].s;
		if (pf[0] == '\0')
			continue;
		if (b == 0 && config_binds_main(cfg))
			(void)util_strlcpy(what, "smsc.password_file",
			    sizeof(what));
		else
			(void)snprintf(what, sizeof(what),
			    "smsc.%s.password_file", config_bind_name(cfg, b));
		if (v[CFG_SMSC_PASSWORD].s[0] != '\0') {
			config_error(p, v[CFG_SMSC_PASSWORD_FILE].line,
			    "%s: set password or password_file, not both",
			    what);
			continue;
		}
		config_check_private(p, v[CFG_SMSC_PASSWORD_FILE].line, what,
		    "password", pf);
	}
	/* A TLS client key is the bind's identity: as private as its
	   password. Whether it loads is for the gateway to say. */
	for (b = 0; b < config_binds(cfg); b++) {
		v = config_bind_values(cfg, b);
		pf = v[CFG_SMSC_TLS_KEY_FILE].s;
		if (pf[0] == '\0')
			continue;
		if (b == 0 && config_binds_main(cfg))
			(void)util_strlcpy(what, "smsc.tls_key_file",
			    sizeof(what));
		else
			(void)snprintf(what, sizeof(what),
			    "smsc.%s.tls_key_file", config_bind_name(cfg, b));
		config_check_private(p, v[CFG_SMSC_TLS_KEY_FILE].line, what,
		    "key", pf);
	}
	/* A missing token file is for the HTTP API to report. */
	if (tf[0] != '\0')
		config_check_token(p, cfg->v[CFG_HTTP_TOKEN_FILE].line,
		    config_defs[CFG_HTTP_TOKEN_FILE].name, tf);
}

/*
 * [database]: path (SQLite) or url (PostgreSQL), not both; the url a libpq
 * connection string with no password in it (it would sit in this file and
 * in every message that names the database); the password in a file its
 * owner alone may read, as the store checks again when it opens.
 */
static int
config_url_has_password(const char *url)
{
	const char	*p, *at, *end;

	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0) {
		p = strstr(url, "://") + 3;
		end = p + strcspn(p, "/?");
		for (at = end; at > p && at[-1] != '@'; at--)
			;
		if (at > p && memchr(p, ':', (size_t)(at - 1 - p)) != NULL)
			return 1;
		p = end;
		while ((p = strstr(p, "password=")) != NULL) {
			if (p[-1] == '?' || p[-1] == '&')
				return 1;
			p++;
		}
		return 0;
	}
	for (p = url; (p = strstr(p, "password")) != NULL; p++) {
		if (p != url && p[-1] != ' ' && p[-1] != '\t')
			continue;
		at = p + 8;
		at += strspn(at, " \t");
		if (*at == '=')
			return 1;
	}
	return 0;
}

static void
config_check_database(struct config_parse *p, struct config *cfg)
{
	const struct config_value *url = &cfg->v[CFG_DATABASE_URL];
	const struct config_value *pf = &cfg->v[CFG_DATABASE_PASSWORD_FILE];
	struct stat	 st;
	char		*real;

	if (url->s[0] != '\0') {
		if (cfg->v[CFG_DATABASE_PATH].line != 0)
			config_error(p, url->line, _("database.url: set path "
			    "(SQLite) or url (PostgreSQL), not both"));
		else if (strncmp(url->s, "postgresql://", 13) != 0 &&
		    strncmp(url->s, "postgres://", 11) != 0 &&
		    strstr(url->s, "dbname=") == NULL &&
		    strstr(url->s, "host=") == NULL)
			config_error(p, url->line, _("database.url: not a "
			    "PostgreSQL connection string (postgresql://HOST/DB"
			    " or key=value words with host= or dbname=)"));
		else if (config_url_has_password(url->s))
			config_error(p, url->line, _("database.url: no "
			    "password in the url: put it in "
			    "database.password_file or ~/.pgpass"));
	}
	if (pf->s[0] == '\0')
		return;
	if (url->s[0] == '\0') {
		config_error(p, pf->line, _("database.password_file is for a "
		    "PostgreSQL database: set database.url too"));
		return;
	}
	/* A missing file is for the store to report when it opens. */
	if (stat(pf->s, &st) == -1 || !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return;
	real = realpath(pf->s, NULL);
	config_error(p, pf->line, _("database.password_file: %s may be read "
	    "or written by others than its owner: run `chmod 600 %s`"),
	    pf->s, real != NULL ? real : pf->s);
	free(real);
}

const char *
config_database(const struct config *cfg)
{
	if (cfg->v[CFG_DATABASE_URL].s[0] != '\0')
		return cfg->v[CFG_DATABASE_URL].s;
	return cfg->v[CFG_DATABASE_PATH].s;
}

static void
config_set_defaults(struct config *cfg)
{
	const char	*err;
	int		 i;

	for (i = 0; i < CFG__COUNT; i++)
		if ((err = config_convert(i, config_defs[i].def,
		    &cfg->v[i])) != NULL)
			fatalx("config: default of %s: %s",
			    config_defs[i].name, err);
}

struct config *
config_defaults(void)
{
	struct config	*cfg;

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup("(defaults)");
	config_set_defaults(cfg);
	return cfg;
}

struct config *
config_load(const char *path, char **errors)
{
	struct config_parse	 p;
	struct config		*cfg;
	const char		*env;
	int			 r, explicit = 1;

	*errors = NULL;
	if (path == NULL) {
		env = getenv("MUNI_CONF");
		if (env != NULL && *env != '\0')
			path = env;
		else {
			path = CONFIG_DEFAULT_PATH;
			explicit = 0;
		}
	}
	memset(&p, 0, sizeof(p));
	p.file = path;
	p.section_ok = 1;
	if ((p.fp = fopen(path, "r")) == NULL) {
		if (!explicit && errno == ENOENT) {
			log_info("%s not found: using built-in defaults",
			    path);
			return config_defaults();
		}
		*errors = xasprintf("%s: %s\n", path, strerror(errno));
		return NULL;
	}
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(path);
	p.cfg = cfg;
	config_set_defaults(cfg);
	for (r = 0; r < CFG__COUNT; r++)
		cfg->v[r].line = 0;
	/* Values may hold ';' (passwords): only whole-line comments. */
	ini_allow_inline_comments = false;
	ini_allow_multiline = false;
	r = ini_parse_stream(config_reader, &p, config_handler, &p);
	if (r > 0 && p.nerr == 0)
		config_error(&p, r, _("syntax error"));
	else if (r < 0)
		config_error(&p, 0, _("cannot be parsed"));
	for (r = 0; p.nerr == 0 && r < config_binds(cfg); r++) {
		const struct config_value *v = config_bind_values(cfg, r);

		if (v[CFG_SMSC_RECONNECT_MIN_S].i <=
		    v[CFG_SMSC_RECONNECT_MAX_S].i)
			continue;
		if (r == 0 && config_binds_main(cfg))
			config_error(&p, v[CFG_SMSC_RECONNECT_MIN_S].line,
			    "smsc.reconnect_min_s is larger than "
			    "smsc.reconnect_max_s");
		else
			config_error(&p, v[CFG_SMSC_RECONNECT_MIN_S].line,
			    "smsc.%s.reconnect_min_s is larger than "
			    "smsc.%s.reconnect_max_s", config_bind_name(cfg, r),
			    config_bind_name(cfg, r));
	}
	if (p.nerr == 0)
		config_cb_check(&p, cfg);
	if (p.nerr == 0)
		config_check_secrets(&p, cfg);
	if (p.nerr == 0)
		config_check_database(&p, cfg);
	fclose(p.fp);
	if (p.nerr > 0) {
		if (p.nerr > CONFIG_MAX_ERRORS) {
			char	*more = xasprintf(
			    _("%s%s: %d more errors\n"),
			    p.errbuf, path, p.nerr - CONFIG_MAX_ERRORS);

			free(p.errbuf);
			p.errbuf = more;
		}
		*errors = p.errbuf;
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

void
config_free(struct config *cfg)
{
	int	 i, b;

	if (cfg == NULL)
		return;
	for (i = 0; i < CFG__COUNT; i++)
		free(cfg->v[i].s);
	for (b = 0; b < cfg->nnamed; b++)
		for (i = 0; i < CFG__COUNT; i++)
			free(cfg->named[b].v[i].s);
	free(cfg->path);
	free(cfg);
}

const char *
config_path(const struct config *cfg)
{
	return cfg->path;
}

const char *
config_str(const struct config *cfg, enum config_key k)
{
	return cfg->v[k].s;
}

long long
config_int(const struct config *cfg, enum config_key k)
{
	if (config_defs[k].type != T_INT && config_defs[k].type != T_BOOL)
		fatalx("config_int: %s is not a number", config_defs[k].name);
	return cfg->v[k].i;
}

int
config_bool(const struct config *cfg, enum config_key k)
{
	if (config_defs[k].type != T_BOOL)
		fatalx("config_bool: %s is not yes/no", config_defs[k].name);
	return cfg->v[k].i != 0;
}

double
config_double(const struct config *cfg, enum config_key k)
{
	if (config_defs[k].type != T_PRICE)
		fatalx("config_double: %s is not a price",
		    config_defs[k].name);
	return cfg->v[k].d;
}

void
config_timerange(const struct config *cfg, enum config_key k, int *a,
    int *b)
{
	if (config_defs[k].type != T_TIMERANGE)
		fatalx("config_timerange: %s is not a time range",
		    config_defs[k].name);
	*a = cfg->v[k].a;
	*b = cfg->v[k].b;
}

const char *
config_key_name(enum config_key k)
{
	return config_defs[k].name;
}

int
config_set(struct config *cfg, enum config_key k, const char *value,
    const char **errstr)
{
	const char	*err;

	if ((err = config_convert(k, value, &cfg->v[k])) != NULL) {
		*errstr = err;
		return -1;
	}
	return 0;
}

/* Whether [smsc] itself is a bind (it is bind 0 then). */
static int
config_binds_main(const struct config *cfg)
{
	return cfg->smsc_seen || cfg->nnamed == 0;
}

int
config_binds(const struct config *cfg)
{
	return config_binds_main(cfg) + cfg->nnamed;
}

static const struct config_value *
config_bind_values(const struct config *cfg, int bind)
{
	int	 m = config_binds_main(cfg);

	if (bind < 0 || bind >= m + cfg->nnamed)
		fatalx("config: no bind %d", bind);
	if (bind < m)
		return cfg->v;
	return cfg->named[bind - m].v;
}

const char *
config_bind_name(const struct config *cfg, int bind)
{
	int	 m = config_binds_main(cfg);

	if (bind < m)
		return "smsc";
	(void)config_bind_values(cfg, bind);
	return cfg->named[bind - m].name;
}

static void
config_bind_key(enum config_key k)
{
	if (strcmp(config_defs[k].section, "smsc") != 0)
		fatalx("config: %s is not a bind's key", config_defs[k].name);
}

const char *
config_bind_str(const struct config *cfg, int bind, enum config_key k)
{
	config_bind_key(k);
	return config_bind_values(cfg, bind)[k].s;
}

long long
config_bind_int(const struct config *cfg, int bind, enum config_key k)
{
	config_bind_key(k);
	if (config_defs[k].type != T_INT && config_defs[k].type != T_BOOL)
		fatalx("config_bind_int: %s is not a number",
		    config_defs[k].name);
	return config_bind_values(cfg, bind)[k].i;
}

int
config_bind_bool(const struct config *cfg, int bind, enum config_key k)
{
	config_bind_key(k);
	if (config_defs[k].type != T_BOOL)
		fatalx("config_bind_bool: %s is not yes/no",
		    config_defs[k].name);
	return config_bind_values(cfg, bind)[k].i != 0;
}

int
config_callbacks(const struct config *cfg)
{
	return cfg->ncallbacks;
}

void
config_callback(const struct config *cfg, int i, struct config_callback *out)
{
	const struct config_cb *cb;

	if (i < 0 || i >= cfg->ncallbacks)
		fatalx("config_callback: no callback %d", i);
	cb = &cfg->callbacks[i];
	out->name = cb->name;
	out->url = cb->url;
	out->secret_file = cb->secret_file;
	out->events = cb->events;
	out->timeout_s = cb->timeout_s;
	out->retry_h = cb->retry_h;
}

int
config_secret_file(const char *path, char *buf, size_t size,
    const char **errstr)
{
	static _Thread_local char msg[96];
	struct stat	 sb;
	char		 tmp[4097];
	ssize_t		 n;
	size_t		 len, i;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		(void)snprintf(msg, sizeof(msg), "cannot be read: %s",
		    strerror(errno));
		*errstr = msg;
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		*errstr = "not a regular file";
		return -1;
	}
	n = read(fd, tmp, sizeof(tmp) - 1);
	close(fd);
	if (n < 0) {
		(void)snprintf(msg, sizeof(msg), "cannot be read: %s",
		    strerror(errno));
		*errstr = msg;
		return -1;
	}
	len = (size_t)n;
	/* One line; its end (a newline from an editor) is not the secret. */
	while (len > 0 && (tmp[len - 1] == '\n' || tmp[len - 1] == '\r' ||
	    tmp[len - 1] == ' ' || tmp[len - 1] == '\t'))
		len--;
	tmp[len] = '\0';
	if (len == 0) {
		*errstr = "is empty";
		return -1;
	}
	if (len >= size || (size_t)n == sizeof(tmp) - 1) {
		(void)snprintf(msg, sizeof(msg), "is longer than %zu "
		    "characters", size - 1);
		*errstr = msg;
		explicit_bzero(tmp, sizeof(tmp));
		return -1;
	}
	for (i = 0; i < len; i++)
		if (tmp[i] <= ' ' || tmp[i] > '~') {
			*errstr = "must be one word of printable ASCII";
			explicit_bzero(tmp, sizeof(tmp));
			return -1;
		}
	memcpy(buf, tmp, len + 1);
	explicit_bzero(tmp, sizeof(tmp));
	return 0;
}

int
config_bind_password(const struct config *cfg, int bind, char *buf,
    size_t size, const char **errstr)
{
	static _Thread_local char msg[4096 + 128];	/* the path, the why */
	const struct config_value *v;
	const char	*err;

	config_bind_key(CFG_SMSC_PASSWORD);
	v = config_bind_values(cfg, bind);
	if (v[CFG_SMSC_PASSWORD_FILE].s[0] == '\0') {
		if (util_strlcpy(buf, v[CFG_SMSC_PASSWORD].s, size) == -1) {
			*errstr = "password: too long";
			return -1;
		}
		return 0;
	}
	/* SMPP 3.4 passwords are 8 characters at most, like password's. */
	if (config_secret_file(v[CFG_SMSC_PASSWORD_FILE].s, buf,
	    size < 9 ? size : 9, &err) == -1) {
		(void)snprintf(msg, sizeof(msg), "password_file %s: %s",
		    v[CFG_SMSC_PASSWORD_FILE].s, err);
		*errstr = msg;
		return -1;
	}
	return 0;
}
