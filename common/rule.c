/*
 * rule: lexer, recursive-descent parser and SQL compiler of the group rule
 * language (see rule.h for the language).
 *
 * This file and store_stmts.h are the only places where muni builds SQL,
 * and here no byte of a rule's text ever becomes SQL: the compiler appends
 * only string literals of this file (the SQL() macro refuses anything that
 * is not a literal at compile time) and numbered parameters, and every
 * value of the rule - strings, numbers, dates computed from ages - is bound
 * with store_bind. A rule full of quotes, semicolons and "--" is data.
 *
 * The compiler is the one place above the store that knows SQL dialects:
 * it writes SQLite's or PostgreSQL's, as store_dialect() says, and the
 * text goes through store_prepare and the cursor calls like any other
 * statement, so the libraries themselves stay behind the store. Most of
 * the text serves both (booleans as comparisons, FALSE for a default);
 * PostgreSQL's spells parameters $N, types the NULL tests of the members
 * statement's parameters, and numbers a count's values from $1, since it
 * must know the type of every parameter up to the last.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "i18n.h"
#include "rule.h"
#include "store.h"
#include "util.h"

#define IDENT_MAX	64	/* bytes in a name or a bare word */
#define NUMBER_MAX	999999999LL
#define AGE_MAX		150

enum tok {
	T_END, T_IDENT, T_STRING, T_NUMBER, T_LPAREN, T_RPAREN, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
};

struct token {
	enum tok	 type;
	size_t		 pos;		/* byte offset in the text */
	size_t		 len;		/* bytes of source */
	char		*str;		/* T_STRING, T_IDENT; the rule owns it */
	long long	 num;
};

enum field {
	F_TERRITORY, F_AGE, F_LANG, F_HAS_MOBILE, F_CHILD_IN_QUEUE,
	F_QUEUE_INSTITUTION, F_DOG_OWNER, F_FEE_UNPAID, F_FEE_OVERDUE,
	F_SUBSCRIBED,
};

enum ftype { FT_TEXT, FT_NUM, FT_BOOL, FT_FUNC };

static const struct {
	const char	*name;
	enum field	 field;
	enum ftype	 type;
} fields[] = {
	{ "territory", F_TERRITORY, FT_TEXT },
	{ "age", F_AGE, FT_NUM },
	{ "lang", F_LANG, FT_TEXT },
	{ "has_mobile", F_HAS_MOBILE, FT_BOOL },
	{ "child_in_queue", F_CHILD_IN_QUEUE, FT_BOOL },
	{ "queue_institution", F_QUEUE_INSTITUTION, FT_TEXT },
	{ "dog_owner", F_DOG_OWNER, FT_BOOL },
	{ "fee_unpaid", F_FEE_UNPAID, FT_FUNC },
	{ "fee_overdue", F_FEE_OVERDUE, FT_FUNC },
	{ "subscribed", F_SUBSCRIBED, FT_FUNC },
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN,
	OP_TRUE, OP_FALSE };

enum nkind { N_AND, N_OR, N_NOT, N_PRED };

struct value {
	char		*str;		/* NULL for a number */
	long long	 num;
	size_t		 pos;
};

struct node {
	enum nkind	 kind;
	int		 a, b;		/* children */
	enum field	 field;
	enum op		 op;
	size_t		 first, nvals;	/* values in rule->vals */
	char		*arg;		/* a function's argument */
	size_t		 pos, argpos;
};

struct rule {
	char		*text;		/* a copy, for positions in checks */
	struct node	*nodes;
	size_t		 nnodes;
	struct value	*vals;
	size_t		 nvals;
	char		**strs;		/* every string the rule owns */
	size_t		 nstrs;
	int		 root;
	size_t		 terms;
	const char	*fee_kind;
	const char	*institution;
};

struct parser {
	const char	*text;
	size_t		 len;
	size_t		 pos;		/* next byte to lex */
	struct token	 tok;		/* the current token */
	struct rule	*r;
	int		 depth;
	char		*err;
	size_t		 errsize;
};

/* Line and column (in characters) of byte offset pos. */
static void
position(const char *text, size_t pos, int *line, int *col)
{
	size_t	 i;

	*line = 1;
	*col = 1;
	for (i = 0; i < pos && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

static void rule_err(char *, size_t, const char *, size_t, const char *,
    ...) __attribute__((format(printf, 5, 6)));

/* "LINE:COL: message" into err; fmt is already translated. */
static void
rule_err(char *err, size_t errsize, const char *text, size_t pos,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[RULE_ERR_SIZE];
	int	 line, col;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	position(text, pos, &line, &col);
	(void)util_snprintf(err, errsize, "%d:%d: %s", line, col, msg);
}

#define PERR(p, pos, ...) \
	rule_err((p)->err, (p)->errsize, (p)->text, (pos), __VA_ARGS__)

static char *
rule_own(struct rule *r, char *s)
{
	r->strs = xreallocarray(r->strs, r->nstrs + 1, sizeof(*r->strs));
	r->strs[r->nstrs++] = s;
	return s;
}

/*
 * The nearest of the names to word (ASCII case ignored), or NULL when none
 * is near enough to be a likely typo.
 */
static const char *
nearest(const char *word, const char *const *names, size_t n)
{
	char		 low[IDENT_MAX + 1];
	const char	*best = NULL;
	size_t		 i, d, bestd = SIZE_MAX, len = strlen(word);

	if (len > IDENT_MAX)
		return NULL;
	for (i = 0; i <= len; i++)
		low[i] = (word[i] >= 'A' && word[i] <= 'Z') ?
		    (char)(word[i] + 'a' - 'A') : word[i];
	for (i = 0; i < n; i++) {
		d = util_edit_distance(low, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= 1 + len / 4 ? best : NULL;
}

/* Lexing. */

static int
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static int
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Describe the character at s for a message: itself, or U+XXXX. */
static void
char_name(const char *s, char *buf, size_t size)
{
	unsigned char	 c = (unsigned char)s[0];
	size_t		 n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	if (c < 0x20 || c == 0x7f)
		(void)util_snprintf(buf, size, "U+%04X", c);
	else
		(void)util_snprintf(buf, size, "'%.*s'", (int)n, s);
}

static int
lex_string(struct parser *p)
{
	char		 q = p->text[p->pos], *buf;
	size_t		 start = p->pos, i = p->pos + 1, n = 0;
	unsigned char	 c;

	buf = xmalloc(RULE_STRING_MAX + 1);
	for (;;) {
		if (i >= p->len) {
			free(buf);
			PERR(p, start, "%s", _("the string has no closing "
			    "quote"));
			return -1;
		}
		c = (unsigned char)p->text[i];
		if (c == (unsigned char)q) {
			if (i + 1 < p->len && p->text[i + 1] == q) {
				i++;	/* a doubled quote stands for one */
			} else
				break;
		} else if (c < 0x20 || c == 0x7f) {
			free(buf);
			PERR(p, i, "%s", _("a control character inside a "
			    "string"));
			return -1;
		}
		if (n >= RULE_STRING_MAX) {
			free(buf);
			PERR(p, start, _("the string is longer than %d bytes"),
			    RULE_STRING_MAX);
			return -1;
		}
		buf[n++] = (char)c;
		i++;
	}
	buf[n] = '\0';
	p->tok.type = T_STRING;
	p->tok.str = rule_own(p->r, buf);
	p->tok.len = i + 1 - start;
	p->pos = i + 1;
	return 0;
}

/* Read the next token into p->tok. */
static int
lex(struct parser *p)
{
	const char	*t = p->text;
	size_t		 start;
	char		 what[16];
	unsigned char	 c;

	while (p->pos < p->len && (t[p->pos] == ' ' || t[p->pos] == '\t' ||
	    t[p->pos] == '\n' || t[p->pos] == '\r'))
		p->pos++;
	memset(&p->tok, 0, sizeof(p->tok));
	start = p->tok.pos = p->pos;
	if (p->pos >= p->len) {
		p->tok.type = T_END;
		return 0;
	}
	c = (unsigned char)t[p->pos];
	if (c == '\'' || c == '"')
		return lex_string(p);
	if (c >= '0' && c <= '9') {
		long long	 v = 0;

		while (p->pos < p->len && t[p->pos] >= '0' &&
		    t[p->pos] <= '9') {
			v = v * 10 + (t[p->pos++] - '0');
			if (v > NUMBER_MAX) {
				PERR(p, start, "%s", _("the number is too "
				    "large"));
				return -1;
			}
		}
		if (p->pos < p->len && is_ident_char((unsigned char)
		    t[p->pos])) {
			PERR(p, start, "%s", _("a number runs into a name "
			    "(put text in quotes)"));
			return -1;
		}
		p->tok.type = T_NUMBER;
		p->tok.num = v;
		p->tok.len = p->pos - start;
		return 0;
	}
	if (is_ident_start(c)) {
		while (p->pos < p->len && is_ident_char((unsigned char)
		    t[p->pos]))
			p->pos++;
		if (p->pos - start > IDENT_MAX) {
			PERR(p, start, _("a name is longer than %d bytes"),
			    IDENT_MAX);
			return -1;
		}
		p->tok.type = T_IDENT;
		p->tok.len = p->pos - start;
		p->tok.str = rule_own(p->r, xstrndup(t + start, p->tok.len));
		return 0;
	}
	p->pos++;
	p->tok.len = 1;
	switch (c) {
	case '(':
		p->tok.type = T_LPAREN;
		return 0;
	case ')':
		p->tok.type = T_RPAREN;
		return 0;
	case ',':
		p->tok.type = T_COMMA;
		return 0;
	case '=':
		if (p->pos < p->len && t[p->pos] == '=')
			p->pos++;
		p->tok.type = T_EQ;
		break;
	case '!':
		if (p->pos < p->len && t[p->pos] == '=') {
			p->pos++;
			p->tok.type = T_NE;
			break;
		}
		PERR(p, start, "%s", _("unexpected '!' (did you mean '!='?)"));
		return -1;
	case '<':
		p->tok.type = T_LT;
		if (p->pos < p->len && t[p->pos] == '=') {
			p->pos++;
			p->tok.type = T_LE;
		} else if (p->pos < p->len && t[p->pos] == '>') {
			p->pos++;
			p->tok.type = T_NE;
		}
		break;
	case '>':
		p->tok.type = T_GT;
		if (p->pos < p->len && t[p->pos] == '=') {
			p->pos++;
			p->tok.type = T_GE;
		}
		break;
	default:
		char_name(t + start, what, sizeof(what));
		PERR(p, start, _("unexpected character %s"), what);
		return -1;
	}
	p->tok.len = p->pos - start;
	return 0;
}

static int
is_kw(const struct token *tok, const char *kw)
{
	return tok->type == T_IDENT && strcasecmp(tok->str, kw) == 0;
}

static int
is_keyword(const struct token *tok)
{
	return is_kw(tok, "AND") || is_kw(tok, "OR") || is_kw(tok, "NOT") ||
	    is_kw(tok, "IN") || is_kw(tok, "TRUE") || is_kw(tok, "FALSE");
}

/* What the current token is, for "found ..." in messages. */
static void
tok_name(const struct parser *p, char *buf, size_t size)
{
	size_t	 n = p->tok.len, i;

	/* At most 40 bytes, cut at a character boundary. */
	if (n > 40) {
		for (i = 40; i > 0 && ((unsigned char)p->text[p->tok.pos + i] &
		    0xc0) == 0x80; i--)
			;
		n = i;
	}
	if (p->tok.type == T_END)
		(void)util_strlcpy(buf, _("the end of the rule"), size);
	else if (p->tok.type == T_STRING)	/* it has its quotes */
		(void)util_snprintf(buf, size, "%.*s%s", (int)n,
		    p->text + p->tok.pos, n < p->tok.len ? "..." : "");
	else
		(void)util_snprintf(buf, size, "'%.*s'", (int)n,
		    p->text + p->tok.pos);
}

/* Parsing. */

static int
new_node(struct parser *p, enum nkind kind, size_t pos)
{
	struct rule	*r = p->r;

	r->nodes = xreallocarray(r->nodes, r->nnodes + 1, sizeof(*r->nodes));
	memset(&r->nodes[r->nnodes], 0, sizeof(r->nodes[0]));
	r->nodes[r->nnodes].kind = kind;
	r->nodes[r->nnodes].pos = pos;
	r->nodes[r->nnodes].a = r->nodes[r->nnodes].b = -1;
	return (int)r->nnodes++;
}

static int	parse_or(struct parser *);

/* A string or number value of field f, type-checked. */
static int
parse_value(struct parser *p, enum ftype type, const char *fname)
{
	struct rule	*r = p->r;
	struct value	*v;
	char		 found[64];

	if (type == FT_TEXT && p->tok.type != T_STRING) {
		tok_name(p, found, sizeof(found));
		if (p->tok.type == T_IDENT && !is_keyword(&p->tok))
			PERR(p, p->tok.pos, _("%s takes text in quotes: write "
			    "'%s'"), fname, p->tok.str);
		else
			PERR(p, p->tok.pos, _("%s takes text in quotes, not "
			    "%s"), fname, found);
		return -1;
	}
	if (type == FT_NUM && p->tok.type != T_NUMBER) {
		tok_name(p, found, sizeof(found));
		PERR(p, p->tok.pos, _("%s takes a whole number, not %s"),
		    fname, found);
		return -1;
	}
	if (type == FT_NUM && p->tok.num > AGE_MAX) {
		PERR(p, p->tok.pos, _("%s must be 0-%d"), fname, AGE_MAX);
		return -1;
	}
	r->vals = xreallocarray(r->vals, r->nvals + 1, sizeof(*r->vals));
	v = &r->vals[r->nvals++];
	v->str = type == FT_TEXT ? p->tok.str : NULL;
	v->num = p->tok.num;
	v->pos = p->tok.pos;
	return lex(p);
}

/* IN '(' value { ',' value } ')' after the IN keyword. */
static int
parse_list(struct parser *p, struct node *n, enum ftype type,
    const char *fname)
{
	size_t	 inpos = p->tok.pos;
	char	 found[64];

	if (lex(p) == -1)
		return -1;
	if (p->tok.type != T_LPAREN) {
		tok_name(p, found, sizeof(found));
		PERR(p, p->tok.pos, _("expected '(' after IN, found %s"),
		    found);
		return -1;
	}
	if (lex(p) == -1)
		return -1;
	n->first = p->r->nvals;
	for (;;) {
		if (n->nvals >= RULE_LIST_MAX) {
			PERR(p, inpos, _("an IN list holds at most %d values"),
			    RULE_LIST_MAX);
			return -1;
		}
		if (parse_value(p, type, fname) == -1)
			return -1;
		n->nvals++;
		if (p->tok.type == T_RPAREN)
			break;
		if (p->tok.type != T_COMMA) {
			tok_name(p, found, sizeof(found));
			PERR(p, p->tok.pos, _("expected ',' or ')' in the IN "
			    "list, found %s"), found);
			return -1;
		}
		if (lex(p) == -1)
			return -1;
	}
	return lex(p);
}

/* The optional "= TRUE" / "!= FALSE" after a yes-or-no predicate. */
static int
parse_bool_cmp(struct parser *p, struct node *n, const char *fname)
{
	int	 ne, val;
	char	 found[64];

	if (p->tok.type != T_EQ && p->tok.type != T_NE) {
		if (p->tok.type == T_LT || p->tok.type == T_LE ||
		    p->tok.type == T_GT || p->tok.type == T_GE ||
		    is_kw(&p->tok, "IN")) {
			PERR(p, p->tok.pos, _("%s is yes or no: use it alone, "
			    "with NOT, or = TRUE / = FALSE"), fname);
			return -1;
		}
		n->op = OP_TRUE;
		return 0;
	}
	ne = p->tok.type == T_NE;
	if (lex(p) == -1)
		return -1;
	if (is_kw(&p->tok, "TRUE") || (p->tok.type == T_NUMBER &&
	    p->tok.num == 1))
		val = 1;
	else if (is_kw(&p->tok, "FALSE") || (p->tok.type == T_NUMBER &&
	    p->tok.num == 0))
		val = 0;
	else {
		tok_name(p, found, sizeof(found));
		PERR(p, p->tok.pos, _("%s compares with TRUE or FALSE, not "
		    "%s"), fname, found);
		return -1;
	}
	n->op = (val ^ ne) ? OP_TRUE : OP_FALSE;
	return lex(p);
}

static int
parse_pred(struct parser *p)
{
	struct rule	*r = p->r;
	struct node	*n;
	const char	*names[nitems(fields)], *near, *fname;
	char		 found[64];
	size_t		 i, pos = p->tok.pos;
	int		 id;
	enum ftype	 type;

	if (p->tok.type != T_IDENT || is_keyword(&p->tok)) {
		tok_name(p, found, sizeof(found));
		PERR(p, pos, _("expected a field, found %s"), found);
		return -1;
	}
	for (i = 0; i < nitems(fields); i++)
		if (strcasecmp(p->tok.str, fields[i].name) == 0)
			break;
	if (i == nitems(fields)) {
		for (i = 0; i < nitems(fields); i++)
			names[i] = fields[i].name;
		if ((near = nearest(p->tok.str, names, nitems(names))) != NULL)
			PERR(p, pos, _("unknown field '%s' (did you mean "
			    "'%s'?)"), p->tok.str, near);
		else
			PERR(p, pos, _("unknown field '%s' (fields: territory, "
			    "age, lang, has_mobile, child_in_queue, "
			    "queue_institution, dog_owner, fee_unpaid(KIND), "
			    "fee_overdue(KIND), subscribed(TOPIC))"),
			    p->tok.str);
		return -1;
	}
	if (++r->terms > RULE_TERMS_MAX) {
		PERR(p, pos, _("a rule holds at most %d conditions"),
		    RULE_TERMS_MAX);
		return -1;
	}
	fname = fields[i].name;
	type = fields[i].type;
	id = new_node(p, N_PRED, pos);
	r->nodes[id].field = fields[i].field;
	if (lex(p) == -1)
		return -1;
	n = &r->nodes[id];
	switch (type) {
	case FT_FUNC:
		if (p->tok.type != T_LPAREN) {
			PERR(p, p->tok.pos, _("%s needs a value in "
			    "parentheses, e.g. %s('%s')"), fname, fname,
			    n->field == F_SUBSCRIBED ? "kultura" : "nin");
			return -1;
		}
		if (lex(p) == -1)
			return -1;
		if (p->tok.type != T_STRING && (p->tok.type != T_IDENT ||
		    is_keyword(&p->tok))) {
			tok_name(p, found, sizeof(found));
			PERR(p, p->tok.pos, _("%s needs a value in "
			    "parentheses, found %s"), fname, found);
			return -1;
		}
		if (p->tok.str[0] == '\0' || strlen(p->tok.str) > IDENT_MAX) {
			PERR(p, p->tok.pos, _("%s needs a value of 1-%d "
			    "bytes"), fname, IDENT_MAX);
			return -1;
		}
		r->nodes[id].arg = p->tok.str;
		r->nodes[id].argpos = p->tok.pos;
		if ((r->nodes[id].field == F_FEE_UNPAID ||
		    r->nodes[id].field == F_FEE_OVERDUE) && r->fee_kind == NULL)
			r->fee_kind = p->tok.str;
		if (lex(p) == -1)
			return -1;
		if (p->tok.type != T_RPAREN) {
			tok_name(p, found, sizeof(found));
			PERR(p, p->tok.pos, _("expected ')', found %s"), found);
			return -1;
		}
		if (lex(p) == -1)
			return -1;
		return parse_bool_cmp(p, &r->nodes[id], fname) == -1 ? -1 : id;
	case FT_BOOL:
		return parse_bool_cmp(p, n, fname) == -1 ? -1 : id;
	case FT_TEXT:
	case FT_NUM:
		break;
	}
	if (is_kw(&p->tok, "NOT") || is_kw(&p->tok, "IN")) {
		if (is_kw(&p->tok, "NOT")) {
			if (lex(p) == -1)
				return -1;
			if (!is_kw(&p->tok, "IN")) {
				tok_name(p, found, sizeof(found));
				PERR(p, p->tok.pos, _("expected IN after NOT, "
				    "found %s"), found);
				return -1;
			}
			r->nodes[id].op = OP_NOT_IN;
		} else
			r->nodes[id].op = OP_IN;
		if (parse_list(p, &r->nodes[id], type, fname) == -1)
			return -1;
	} else {
		switch (p->tok.type) {
		case T_EQ:
			n->op = OP_EQ;
			break;
		case T_NE:
			n->op = OP_NE;
			break;
		case T_LT:
		case T_LE:
		case T_GT:
		case T_GE:
			if (type == FT_TEXT) {
				PERR(p, p->tok.pos, _("%s is text: compare it "
				    "with =, != or IN"), fname);
				return -1;
			}
			n->op = p->tok.type == T_LT ? OP_LT :
			    p->tok.type == T_LE ? OP_LE :
			    p->tok.type == T_GT ? OP_GT : OP_GE;
			break;
		default:
			tok_name(p, found, sizeof(found));
			PERR(p, p->tok.pos, _("expected =, !=, <, <=, >, >= or "
			    "IN after %s, found %s"), fname, found);
			return -1;
		}
		if (lex(p) == -1)
			return -1;
		r->nodes[id].first = r->nvals;
		r->nodes[id].nvals = 1;
		if (parse_value(p, type, fname) == -1)
			return -1;
	}
	n = &r->nodes[id];
	if (n->field == F_QUEUE_INSTITUTION && r->institution == NULL &&
	    (n->op == OP_EQ || n->op == OP_IN))
		r->institution = r->vals[n->first].str;
	return id;
}

static int
parse_unary(struct parser *p)
{
	char	 found[64];
	size_t	 pos = p->tok.pos;
	int	 id, a;

	if (is_kw(&p->tok, "NOT") || p->tok.type == T_LPAREN) {
		if (++p->depth > RULE_DEPTH_MAX) {
			PERR(p, pos, _("the rule nests deeper than %d levels"),
			    RULE_DEPTH_MAX);
			return -1;
		}
		if (is_kw(&p->tok, "NOT")) {
			if (lex(p) == -1 || (a = parse_unary(p)) == -1)
				return -1;
			id = new_node(p, N_NOT, pos);
			p->r->nodes[id].a = a;
		} else {
			if (lex(p) == -1 || (id = parse_or(p)) == -1)
				return -1;
			if (p->tok.type != T_RPAREN) {
				int	 line, col;

				tok_name(p, found, sizeof(found));
				position(p->text, pos, &line, &col);
				PERR(p, p->tok.pos, _("expected ')' to close "
				    "the '(' at %d:%d, found %s"), line, col,
				    found);
				return -1;
			}
			if (lex(p) == -1)
				return -1;
		}
		p->depth--;
		return id;
	}
	return parse_pred(p);
}

static int
parse_and(struct parser *p)
{
	int	 a, b, id;
	size_t	 pos;

	if ((a = parse_unary(p)) == -1)
		return -1;
	while (is_kw(&p->tok, "AND")) {
		pos = p->tok.pos;
		if (lex(p) == -1 || (b = parse_unary(p)) == -1)
			return -1;
		id = new_node(p, N_AND, pos);
		p->r->nodes[id].a = a;
		p->r->nodes[id].b = b;
		a = id;
	}
	return a;
}

static int
parse_or(struct parser *p)
{
	int	 a, b, id;
	size_t	 pos;

	if ((a = parse_and(p)) == -1)
		return -1;
	while (is_kw(&p->tok, "OR")) {
		pos = p->tok.pos;
		if (lex(p) == -1 || (b = parse_and(p)) == -1)
			return -1;
		id = new_node(p, N_OR, pos);
		p->r->nodes[id].a = a;
		p->r->nodes[id].b = b;
		a = id;
	}
	return a;
}

struct rule *
rule_parse(const char *text, char *err, size_t errsize)
{
	struct parser	 p;
	struct rule	*r;
	char		 found[64];
	size_t		 len = strlen(text);

	if (len > RULE_TEXT_MAX) {
		(void)util_snprintf(err, errsize, _("1:%d: the rule is longer "
		    "than %d bytes"), RULE_TEXT_MAX + 1, RULE_TEXT_MAX);
		return NULL;
	}
	if (!util_utf8_valid(text, len)) {
		(void)util_snprintf(err, errsize, "1:1: %s",
		    _("the rule is not valid UTF-8"));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->text = xstrdup(text);
	memset(&p, 0, sizeof(p));
	p.text = r->text;
	p.len = len;
	p.r = r;
	p.err = err;
	p.errsize = errsize;
	if (lex(&p) == -1)
		goto fail;
	if (p.tok.type == T_END) {
		(void)util_snprintf(err, errsize, "1:1: %s",
		    _("the rule is empty"));
		goto fail;
	}
	if ((r->root = parse_or(&p)) == -1)
		goto fail;
	if (p.tok.type != T_END) {
		tok_name(&p, found, sizeof(found));
		if (p.tok.type == T_RPAREN)
			PERR(&p, p.tok.pos, "%s", _("unexpected ')' (no '(' "
			    "to close)"));
		else
			PERR(&p, p.tok.pos, _("expected AND, OR or the end of "
			    "the rule, found %s"), found);
		goto fail;
	}
	return r;
fail:
	rule_free(r);
	return NULL;
}

void
rule_free(struct rule *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->nodes);
	free(r->vals);
	free(r->text);
	free(r);
}

size_t
rule_terms(const struct rule *r)
{
	return r->terms;
}

const char *
rule_fee_kind(const struct rule *r)
{
	return r->fee_kind;
}

const char *
rule_institution(const struct rule *r)
{
	return r->institution;
}

/* Compiling. */

enum btype { B_TEXT, B_INT, B_DATE };

struct binding {
	enum btype	 type;
	const char	*text;		/* B_TEXT: owned by the rule */
	long long	 num;
	char		 date[11];	/* B_DATE: YYYY-MM-DD */
};

struct compiler {
	const struct rule *r;
	int		 pg;		/* PostgreSQL's dialect, or SQLite's */
	int		 first;		/* the number of the first value */
	char		*sql;
	size_t		 len, size;
	struct binding	*binds;
	size_t		 nbinds;
	int		 year, month, day;
	char		 today[11];
	int		 in_lists;	/* IN (subquery), not EXISTS */
};

/*
 * Append a fragment of SQL. The macro only accepts a string literal (""
 * lit "" does not compile otherwise), so nothing computed - and nothing a
 * rule says - can reach the SQL text through it.
 */
#define SQL(c, lit)	sql_put((c), "" lit "")

static void
sql_put(struct compiler *c, const char *lit)
{
	size_t	 n = strlen(lit);

	if (c->len + n + 1 > c->size) {
		c->size = (c->len + n + 1) * 2;
		c->sql = xreallocarray(c->sql, c->size, 1);
	}
	memcpy(c->sql + c->len, lit, n + 1);
	c->len += n;
}

static struct binding *
sql_param(struct compiler *c, enum btype type)
{
	struct binding	*b;
	char		 num[16];
	size_t		 n;

	c->binds = xreallocarray(c->binds, c->nbinds + 1, sizeof(*c->binds));
	b = &c->binds[c->nbinds++];
	memset(b, 0, sizeof(*b));
	b->type = type;
	/* The parameter's number: digits we make, never rule text. */
	n = (size_t)snprintf(num, sizeof(num), "%c%d", c->pg ? '$' : '?',
	    c->first + (int)c->nbinds - 1);
	if (c->len + n + 1 > c->size) {
		c->size = (c->len + n + 1) * 2;
		c->sql = xreallocarray(c->sql, c->size, 1);
	}
	memcpy(c->sql + c->len, num, n + 1);
	c->len += n;
	return b;
}

static void
param_text(struct compiler *c, const char *s)
{
	sql_param(c, B_TEXT)->text = s;
}

/* The latest birth date of someone who is at least years old today. */
static void
param_cutoff(struct compiler *c, long long years)
{
	struct binding	*b = sql_param(c, B_DATE);

	(void)util_snprintf(b->date, sizeof(b->date), "%04d-%02d-%02d",
	    (int)(c->year - years), c->month, c->day);
}

/* age = n: born after the cutoff of n + 1, on or before that of n. */
static void
age_eq(struct compiler *c, long long n)
{
	SQL(c, "(r.birth_date > ");
	param_cutoff(c, n + 1);
	SQL(c, " AND r.birth_date <= ");
	param_cutoff(c, n);
	SQL(c, ")");
}

static void
compile_values(struct compiler *c, const struct node *n)
{
	size_t	 i;

	SQL(c, "(");
	for (i = 0; i < n->nvals; i++) {
		if (i > 0)
			SQL(c, ", ");
		param_text(c, c->r->vals[n->first + i].str);
	}
	SQL(c, ")");
}

static void
compile_age(struct compiler *c, const struct node *n)
{
	long long	 v = c->r->vals[n->first].num;
	size_t		 i;

	/* coalesce: an unknown birth date is false, not unknown. */
	SQL(c, "coalesce(");
	switch (n->op) {
	case OP_EQ:
		age_eq(c, v);
		break;
	case OP_NE:
		SQL(c, "NOT ");
		age_eq(c, v);
		break;
	case OP_GE:
	case OP_GT:
		SQL(c, "r.birth_date <= ");
		param_cutoff(c, n->op == OP_GE ? v : v + 1);
		break;
	case OP_LT:
	case OP_LE:
		SQL(c, "r.birth_date > ");
		param_cutoff(c, n->op == OP_LT ? v : v + 1);
		break;
	case OP_IN:
	case OP_NOT_IN:
		if (n->op == OP_NOT_IN)
			SQL(c, "NOT ");
		SQL(c, "(");
		for (i = 0; i < n->nvals; i++) {
			if (i > 0)
				SQL(c, " OR ");
			age_eq(c, c->r->vals[n->first + i].num);
		}
		SQL(c, ")");
		break;
	default:
		break;
	}
	SQL(c, ", FALSE)");
}

static void
compile_text(struct compiler *c, const struct node *n)
{
	if (n->field == F_TERRITORY)
		SQL(c, "r.territory");
	else
		SQL(c, "r.lang");
	switch (n->op) {
	case OP_EQ:
		SQL(c, " = ");
		param_text(c, c->r->vals[n->first].str);
		break;
	case OP_NE:
		SQL(c, " <> ");
		param_text(c, c->r->vals[n->first].str);
		break;
	case OP_IN:
		SQL(c, " IN ");
		compile_values(c, n);
		break;
	default:
		SQL(c, " NOT IN ");
		compile_values(c, n);
		break;
	}
}

static void
compile_pred(struct compiler *c, const struct node *n)
{
	switch (n->field) {
	case F_TERRITORY:
	case F_LANG:
		compile_text(c, n);
		return;
	case F_AGE:
		compile_age(c, n);
		return;
	case F_QUEUE_INSTITUTION:
		/* The ids are NOT NULL columns: NOT IN is the complement. */
		if (c->in_lists) {
			if (n->op == OP_NE || n->op == OP_NOT_IN)
				SQL(c, "r.id NOT IN");
			else
				SQL(c, "r.id IN");
			SQL(c, " (SELECT q.guardian_id FROM queue_entries q"
			    " JOIN institutions i ON i.id = q.institution_id"
			    " WHERE q.status = 'active' AND i.name IN ");
		} else {
			if (n->op == OP_NE || n->op == OP_NOT_IN)
				SQL(c, "NOT ");
			SQL(c, "EXISTS (SELECT 1 FROM queue_entries q"
			    " JOIN institutions i ON i.id = q.institution_id"
			    " WHERE q.guardian_id = r.id"
			    " AND q.status = 'active' AND i.name IN ");
		}
		compile_values(c, n);
		SQL(c, ")");
		return;
	default:
		break;
	}
	/* Yes-or-no predicates. */
	if (n->op == OP_FALSE)
		SQL(c, "NOT ");
	switch (n->field) {
	case F_HAS_MOBILE:
		SQL(c, "coalesce(r.phone IS NOT NULL"
		    " AND r.phone_kind IN (0, 2), FALSE)");
		break;
	case F_CHILD_IN_QUEUE:
		if (c->in_lists)
			SQL(c, "r.id IN (SELECT q.guardian_id"
			    " FROM queue_entries q WHERE q.status = 'active')");
		else
			SQL(c, "EXISTS (SELECT 1 FROM queue_entries q"
			    " WHERE q.guardian_id = r.id"
			    " AND q.status = 'active')");
		break;
	case F_DOG_OWNER:
		if (c->in_lists)
			SQL(c, "r.id IN (SELECT f.resident_id FROM fees f"
			    " WHERE f.kind = 'dog')");
		else
			SQL(c, "EXISTS (SELECT 1 FROM fees f"
			    " WHERE f.resident_id = r.id AND f.kind = 'dog')");
		break;
	case F_FEE_UNPAID:
	case F_FEE_OVERDUE:
		if (c->in_lists)
			SQL(c, "r.id IN (SELECT f.resident_id FROM fees f"
			    " WHERE f.kind = ");
		else
			SQL(c, "EXISTS (SELECT 1 FROM fees f"
			    " WHERE f.resident_id = r.id AND f.kind = ");
		param_text(c, n->arg);
		SQL(c, " AND f.paid_cents < f.amount_cents");
		if (n->field == F_FEE_OVERDUE) {
			SQL(c, " AND f.due_date < ");
			param_text(c, c->today);
		}
		SQL(c, ")");
		break;
	case F_SUBSCRIBED:
		SQL(c, "coalesce((SELECT CASE WHEN t.emergency <> 0 THEN 1"
		    " ELSE coalesce((SELECT s.subscribed FROM subscriptions s"
		    " WHERE s.resident_id = r.id AND s.topic_id = t.id),"
		    " t.default_on) END FROM topics t WHERE t.code = ");
		param_text(c, n->arg);
		SQL(c, "), 0) <> 0");
		break;
	default:
		break;
	}
}

/*
 * parent: the kind of the node around this one, so a chain of ANDs (or
 * ORs) comes out flat instead of nested once per term.
 */
static void
compile_node(struct compiler *c, int id, int parent)
{
	const struct node	*n = &c->r->nodes[id];

	switch (n->kind) {
	case N_AND:
	case N_OR:
		if (parent != (int)n->kind)
			SQL(c, "(");
		compile_node(c, n->a, (int)n->kind);
		if (n->kind == N_AND)
			SQL(c, " AND ");
		else
			SQL(c, " OR ");
		compile_node(c, n->b, (int)n->kind);
		if (parent != (int)n->kind)
			SQL(c, ")");
		break;
	case N_NOT:
		SQL(c, "NOT (");
		compile_node(c, n->a, (int)N_NOT);
		SQL(c, ")");
		break;
	case N_PRED:
		compile_pred(c, n);
		break;
	}
}

/*
 * The columns a broadcast asks for, shared with the manual-group statement
 * ST_GROUP_MANUAL_MEMBERS (keep the two in step): whether the resident
 * receives topic ?4 (default ?5; ?4 NULL: no check), what they owe of fee
 * kind ?6 and its first due date as one text "CENTS YYYY-MM-DD" (one pass
 * over their fees, not two: the row fetches are what costs), and their
 * first active queue entry when ?7 is set (at institution ?8 when that is
 * set). With the sum beside it, min(due_date) cannot take SQLite's min()
 * shortcut down the fees_unpaid index, which scans it whole per resident.
 * PostgreSQL's text types each parameter it tests for NULL, as the
 * manual statement's does.
 */
#define MEMBER_EXTRAS \
	"CASE WHEN ?4 IS NULL THEN 1 ELSE coalesce((SELECT s.subscribed" \
	" FROM subscriptions s WHERE s.resident_id = r.id" \
	" AND s.topic_id = ?4), ?5) END," \
	" CASE WHEN ?6 IS NULL THEN NULL ELSE (SELECT sum(f.amount_cents" \
	" - f.paid_cents) || ' ' || min(f.due_date) FROM fees f" \
	" WHERE f.resident_id = r.id AND f.kind = ?6" \
	" AND f.paid_cents < f.amount_cents) END," \
	" CASE WHEN ?7 IS NULL THEN NULL ELSE (SELECT q.id" \
	" FROM queue_entries q WHERE q.guardian_id = r.id" \
	" AND q.status = 'active' AND (?8 IS NULL OR q.institution_id IN" \
	" (SELECT i.id FROM institutions i WHERE i.name = ?8))" \
	" ORDER BY q.id LIMIT 1) END"
#define MEMBER_EXTRAS_PG \
	"CASE WHEN $4::bigint IS NULL THEN 1 ELSE coalesce((SELECT" \
	" s.subscribed FROM subscriptions s WHERE s.resident_id = r.id" \
	" AND s.topic_id = $4), $5) END," \
	" CASE WHEN $6::text IS NULL THEN NULL ELSE (SELECT" \
	" sum(f.amount_cents - f.paid_cents) || ' ' || min(f.due_date)" \
	" FROM fees f WHERE f.resident_id = r.id AND f.kind = $6" \
	" AND f.paid_cents < f.amount_cents) END," \
	" CASE WHEN $7::bigint IS NULL THEN NULL ELSE (SELECT q.id" \
	" FROM queue_entries q WHERE q.guardian_id = r.id" \
	" AND q.status = 'active' AND ($8::text IS NULL" \
	" OR q.institution_id IN" \
	" (SELECT i.id FROM institutions i WHERE i.name = $8))" \
	" ORDER BY q.id LIMIT 1) END"

int
rule_param_first(enum rule_query q, enum store_dialect d)
{
	return q == RULE_COUNT && d == STORE_POSTGRES ? 1 : RULE_PARAM_FIRST;
}

static void
compile(struct compiler *c, const struct rule *r, enum rule_query q,
    enum store_dialect d)
{
	struct tm	 tm;
	time_t		 now = clock_now();

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->pg = d == STORE_POSTGRES;
	c->first = rule_param_first(q, d);
	/* "Today" and ages are the municipality's calendar. */
	clock_local(now, &tm);
	c->year = tm.tm_year + 1900;
	c->month = tm.tm_mon + 1;
	c->day = tm.tm_mday;
	(void)util_snprintf(c->today, sizeof(c->today), "%04d-%02d-%02d",
	    c->year, c->month, c->day);
	c->in_lists = q != RULE_MEMBERS;
	if (q == RULE_COUNT) {
		SQL(c, "SELECT count(*) FROM residents r WHERE ");
		compile_node(c, r->root, -1);
		return;
	}
	if (c->pg) {
		/*
		 * $3 is the manual statement's group and means nothing here,
		 * but PostgreSQL refuses a parameter it cannot type: named,
		 * to no effect.
		 */
		SQL(c, "SELECT r.id, r.id, r.phone, r.phone_kind,"
		    " r.given_name, r.family_name, r.lang, " MEMBER_EXTRAS_PG
		    " FROM residents r WHERE r.id > $1"
		    " AND ($3::bigint IS NULL OR TRUE) AND (");
		compile_node(c, r->root, -1);
		SQL(c, ") ORDER BY r.id LIMIT $2");
		return;
	}
	SQL(c, "SELECT r.id, r.id, r.phone, r.phone_kind, r.given_name,"
	    " r.family_name, r.lang, " MEMBER_EXTRAS
	    " FROM residents r WHERE r.id > ?1 AND (");
	compile_node(c, r->root, -1);
	SQL(c, ") ORDER BY r.id LIMIT ?2");
}

char *
rule_sql(const struct rule *r, enum rule_query q, enum store_dialect d,
    size_t *nbinds)
{
	struct compiler	 c;

	compile(&c, r, q, d);
	free(c.binds);
	if (nbinds != NULL)
		*nbinds = c.nbinds;
	return c.sql;
}

size_t
rule_values(const struct rule *r, enum rule_query q, char ***values)
{
	struct compiler	 c;
	struct binding	*b;
	char		 num[24];
	size_t		 i;

	compile(&c, r, q, STORE_SQLITE);
	*values = xreallocarray(NULL, c.nbinds + 1, sizeof(**values));
	for (i = 0; i < c.nbinds; i++) {
		b = &c.binds[i];
		if (b->type == B_TEXT)
			(*values)[i] = xstrdup(b->text);
		else if (b->type == B_DATE)
			(*values)[i] = xstrdup(b->date);
		else {
			(void)util_snprintf(num, sizeof(num), "%lld", b->num);
			(*values)[i] = xstrdup(num);
		}
	}
	free(c.sql);
	free(c.binds);
	return c.nbinds;
}

struct store_cur *
rule_prepare(struct store *s, const struct rule *r, enum rule_query q,
    char *err, size_t errsize)
{
	struct compiler		 c;
	struct store_cur	*cur;
	struct binding		*b;
	char			 why[RULE_ERR_SIZE];
	size_t			 i;
	int			 rc = STORE_OK, idx;

	compile(&c, r, q, store_dialect(s));
	if ((cur = store_prepare(s, c.sql, c.len, why, sizeof(why))) ==
	    NULL) {
		(void)util_snprintf(err, errsize, _("cannot prepare the rule: "
		    "%s"), why);
		goto fail;
	}
	for (i = 0; i < c.nbinds && rc == STORE_OK; i++) {
		b = &c.binds[i];
		idx = c.first + (int)i;
		/* Copied: the rule may be freed before the statement runs. */
		if (b->type == B_TEXT)
			rc = store_bind_at(cur, idx, "c", b->text);
		else if (b->type == B_DATE)
			rc = store_bind_at(cur, idx, "c", b->date);
		else
			rc = store_bind_at(cur, idx, "I", (int64_t)b->num);
	}
	if (rc != STORE_OK) {
		(void)util_snprintf(err, errsize, _("cannot bind the rule's "
		    "values: %s"), store_errmsg(s));
		goto fail;
	}
	free(c.sql);
	free(c.binds);
	return cur;
fail:
	store_cur_free(cur);
	free(c.sql);
	free(c.binds);
	return NULL;
}

/* Checking values against the data. */

/* 1 when the one-text-parameter statement id returns a row, 0 not, -1. */
static int
exists(struct store *s, enum store_stmt id, const char *v)
{
	int64_t	 unused;
	int	 rc;

	rc = store_one_i64(s, id, &unused, "s", v);
	if (rc == STORE_ROW)
		return 1;
	return rc == STORE_OK ? 0 : -1;
}

/*
 * The existing value nearest to v from statement id (one text column): one
 * that contains v (ASCII case ignored), else one a few edits away. Into
 * buf; 0 when found, 1 when none is near, -1 on error.
 */
static int
suggest(struct store *s, enum store_stmt id, const char *v, char *buf,
    size_t size)
{
	struct store_cur	*c = store_cur(s, id);
	const char		*cand;
	size_t			 d, bestd = SIZE_MAX, len = strlen(v);
	int			 rc, contained = 0;

	buf[0] = '\0';
	while ((rc = store_step(c)) == STORE_ROW) {
		if (store_isnull(c, 0))
			continue;
		cand = store_str(c, 0);
		if (!contained && len >= 3 && strcasestr(cand, v) != NULL) {
			contained = 1;
			(void)util_strlcpy(buf, cand, size);
			continue;
		}
		if (contained)
			continue;
		d = util_edit_distance(v, cand);
		if (d < bestd && d <= 1 + len / 4) {
			bestd = d;
			(void)util_strlcpy(buf, cand, size);
		}
	}
	store_reset(c);
	if (rc != STORE_OK)
		return -1;
	return buf[0] != '\0' ? 0 : 1;
}

int
rule_check(struct store *s, const struct rule *r,
    void (*warn)(void *, const char *), void *arg, char *err, size_t errsize)
{
	const struct node	*n;
	const char		*v;
	char			 near[256], msg[RULE_ERR_SIZE + 256];
	size_t			 i, j, pos;
	int			 e, sg;

	for (i = 0; i < r->nnodes; i++) {
		n = &r->nodes[i];
		if (n->kind != N_PRED)
			continue;
		if (n->field == F_SUBSCRIBED) {
			if ((e = exists(s, ST_RULE_TOPIC_EXISTS, n->arg)) == -1)
				goto dberr;
			if (e)
				continue;
			if ((sg = suggest(s, ST_RULE_TOPIC_CODES, n->arg, near,
			    sizeof(near))) == -1)
				goto dberr;
			if (sg == 0)
				rule_err(err, errsize, r->text, n->argpos,
				    _("unknown topic '%s' (did you mean "
				    "'%s'?)"), n->arg, near);
			else
				rule_err(err, errsize, r->text, n->argpos,
				    _("unknown topic '%s'"), n->arg);
			return -1;
		}
		if (warn == NULL)
			continue;
		if (n->field == F_FEE_UNPAID || n->field == F_FEE_OVERDUE) {
			if ((e = exists(s, ST_RULE_FEE_KIND_EXISTS,
			    n->arg)) == -1)
				goto dberr;
			if (e)
				continue;
			if ((sg = suggest(s, ST_RULE_FEE_KINDS, n->arg, near,
			    sizeof(near))) == -1)
				goto dberr;
			if (sg == 0)
				rule_err(msg, sizeof(msg), r->text, n->argpos,
				    _("no unpaid fee is of kind '%s' (did you "
				    "mean '%s'?)"), n->arg, near);
			else
				rule_err(msg, sizeof(msg), r->text, n->argpos,
				    _("no unpaid fee is of kind '%s'"), n->arg);
			warn(arg, msg);
			continue;
		}
		if (n->field != F_TERRITORY && n->field != F_QUEUE_INSTITUTION)
			continue;
		for (j = 0; j < n->nvals; j++) {
			v = r->vals[n->first + j].str;
			pos = r->vals[n->first + j].pos;
			if ((e = exists(s, n->field == F_TERRITORY ?
			    ST_RULE_TERRITORY_EXISTS :
			    ST_RULE_INSTITUTION_EXISTS, v)) == -1)
				goto dberr;
			if (e)
				continue;
			if ((sg = suggest(s, n->field == F_TERRITORY ?
			    ST_RULE_TERRITORIES : ST_RULE_INSTITUTIONS, v,
			    near, sizeof(near))) == -1)
				goto dberr;
			if (n->field == F_TERRITORY && sg == 0)
				rule_err(msg, sizeof(msg), r->text, pos,
				    _("no resident lives in territory '%s' "
				    "(did you mean '%s'?)"), v, near);
			else if (n->field == F_TERRITORY)
				rule_err(msg, sizeof(msg), r->text, pos,
				    _("no resident lives in territory '%s'"),
				    v);
			else if (sg == 0)
				rule_err(msg, sizeof(msg), r->text, pos,
				    _("no institution is named '%s' (did you "
				    "mean '%s'?)"), v, near);
			else
				rule_err(msg, sizeof(msg), r->text, pos,
				    _("no institution is named '%s'"), v);
			warn(arg, msg);
		}
	}
	return 0;
dberr:
	(void)util_snprintf(err, errsize, _("database error: %s"),
	    store_errmsg(s));
	return -1;
}
