/*
 * statement: camt.053 / camt.054 import. The reader walks the document
 * once; the few elements muni needs are picked out by their path below the
 * statement (Stmt or Ntfctn) into bounded buffers, and each entry is booked
 * when its </Ntry> arrives, inside one transaction for the whole file.
 *
 * Outside input, so: no network, no entity expansion, no DTD at all (a
 * bank statement has none; refusing it also shuts out entity tricks),
 * bounded nesting and bounded text per element.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "clock.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "payments.h"
#include "statement.h"
#include "store.h"
#include "util.h"

#define NS_PREFIX	"urn:iso:std:iso:20022:tech:xsd:camt."
#define PATH_SIZE	512
#define NAME_MAX_LEN	64
#define REF_SIZE	160	/* Max35Text, 4 bytes a character */
#define NAME_SIZE	600	/* Max140Text */
#define TEXT_SIZE	1200	/* several Ustrd lines, joined */
#define KEY_SIZE	(2 * REF_SIZE + 8)
#define MAX_REFS	4
#define MAX_TOKENS	32	/* words of free text tried as references */

struct stmt_tx {
	char	 acct_ref[REF_SIZE];
	char	 e2e[REF_SIZE];
	char	 amt[48];
	char	 amt_ccy[8];
	char	 txamt[48];	/* AmtDtls/TxAmt/Amt, before .001.05 */
	char	 txamt_ccy[8];
	char	 cdi[8];
	char	 debtor[NAME_SIZE];
	char	 dbtr_iban[48];
	char	 ustrd[TEXT_SIZE];
	char	 refs[MAX_REFS][REF_SIZE];
	int	 nrefs;
};

struct stmt_entry {
	char		 ntry_ref[REF_SIZE];
	char		 acct_ref[REF_SIZE];
	char		 amt[48];
	char		 ccy[8];
	char		 cdi[8];
	char		 rvsl[8];
	char		 sts[16];
	char		 bookg[48];
	char		 val[48];
	char		 addtl[TEXT_SIZE];
	long		 line;
	size_t		 ntx;		/* TxDtls seen */
	struct stmt_tx	*tx;		/* the first STATEMENT_MAX_TX of them */
	size_t		 txcap;
};

struct stmt_info {
	char	 id[REF_SIZE];
	char	 iban[48];
};

enum where { W_STMT, W_ENTRY, W_TX, W_TXREF };

/* The elements muni reads, by path below Stmt / Ntfctn. */
#define F(path, w, type, m, join, ccy)					\
	{ path, w, offsetof(type, m), sizeof(((type *)0)->m), join,	\
	    ccy }
static const struct field {
	const char	*path;
	enum where	 where;
	size_t		 off;
	size_t		 size;
	int		 join;		/* repeated: joined with spaces */
	long		 ccy_off;	/* -1, or where Ccy goes */
} fields[] = {
	F("Id", W_STMT, struct stmt_info, id, 0, -1),
	F("Acct/Id/IBAN", W_STMT, struct stmt_info, iban, 0, -1),
	F("Ntry/NtryRef", W_ENTRY, struct stmt_entry, ntry_ref, 0, -1),
	F("Ntry/Amt", W_ENTRY, struct stmt_entry, amt, 0,
	    (long)offsetof(struct stmt_entry, ccy)),
	F("Ntry/CdtDbtInd", W_ENTRY, struct stmt_entry, cdi, 0, -1),
	F("Ntry/RvslInd", W_ENTRY, struct stmt_entry, rvsl, 0, -1),
	F("Ntry/Sts", W_ENTRY, struct stmt_entry, sts, 0, -1),
	F("Ntry/Sts/Cd", W_ENTRY, struct stmt_entry, sts, 0, -1),
	F("Ntry/BookgDt/Dt", W_ENTRY, struct stmt_entry, bookg, 0, -1),
	F("Ntry/BookgDt/DtTm", W_ENTRY, struct stmt_entry, bookg, 0, -1),
	F("Ntry/ValDt/Dt", W_ENTRY, struct stmt_entry, val, 0, -1),
	F("Ntry/ValDt/DtTm", W_ENTRY, struct stmt_entry, val, 0, -1),
	F("Ntry/AcctSvcrRef", W_ENTRY, struct stmt_entry, acct_ref, 0, -1),
	F("Ntry/AddtlNtryInf", W_ENTRY, struct stmt_entry, addtl, 1, -1),
	F("Ntry/NtryDtls/TxDtls/Refs/AcctSvcrRef", W_TX, struct stmt_tx,
	    acct_ref, 0, -1),
	F("Ntry/NtryDtls/TxDtls/Refs/EndToEndId", W_TX, struct stmt_tx, e2e,
	    0, -1),
	F("Ntry/NtryDtls/TxDtls/Amt", W_TX, struct stmt_tx, amt, 0,
	    (long)offsetof(struct stmt_tx, amt_ccy)),
	F("Ntry/NtryDtls/TxDtls/AmtDtls/TxAmt/Amt", W_TX, struct stmt_tx,
	    txamt, 0, (long)offsetof(struct stmt_tx, txamt_ccy)),
	F("Ntry/NtryDtls/TxDtls/CdtDbtInd", W_TX, struct stmt_tx, cdi, 0, -1),
	F("Ntry/NtryDtls/TxDtls/RltdPties/Dbtr/Nm", W_TX, struct stmt_tx,
	    debtor, 0, -1),
	F("Ntry/NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm", W_TX, struct stmt_tx,
	    debtor, 0, -1),
	F("Ntry/NtryDtls/TxDtls/RltdPties/DbtrAcct/Id/IBAN", W_TX,
	    struct stmt_tx, dbtr_iban, 0, -1),
	F("Ntry/NtryDtls/TxDtls/RmtInf/Ustrd", W_TX, struct stmt_tx, ustrd, 1,
	    -1),
	F("Ntry/NtryDtls/TxDtls/RmtInf/Strd/CdtrRefInf/Ref", W_TXREF,
	    struct stmt_tx, refs, 0, -1),
};
#undef F

static size_t	 field_len[nitems(fields)];

/* Hashes of entries without a bank reference seen in this file. */
struct seen {
	uint64_t	*h;
	unsigned	*n;
	size_t		 cap;
	size_t		 used;
};

struct imp {
	struct store			*s;
	const struct statement_opts	*o;
	struct statement_result		*res;
	xmlTextReaderPtr		 r;
	const char			*name;
	char				 ns[128];
	const char			*ns_seen;	/* interned copy */
	int				 failed;
	int				 root_seen;
	int				 in_stmt;

	char				 path[PATH_SIZE];
	size_t				 off[STATEMENT_MAX_DEPTH + 1];

	/* The element whose text is being collected. */
	char				*cap;
	size_t				 cap_size;
	size_t				 cap_len;
	size_t				 cap_elen;
	int				 cap_depth;
	int				 cap_join;
	const char			*cap_field;

	struct stmt_info		 st;
	struct stmt_entry		 e;
	int				 in_entry;
	struct stmt_tx			 scratch;	/* beyond MAX_TX */
	struct seen			 seen;
	struct payments_fee		 fee;		/* the last one found */
	char				 saved_lang[8];
};

static char	 stmt_err[1024];

static const char *stmt_fail(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static const char *
stmt_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(stmt_err, sizeof(stmt_err), fmt, ap);
	va_end(ap);
	return stmt_err;
}

/*
 * The line of the node the reader is on. The parser itself reads ahead,
 * so its own line number would point past the culprit.
 */
static long
node_line(struct imp *im)
{
	xmlNodePtr	 n;

	if (im->r == NULL)
		return 0;
	if ((n = xmlTextReaderCurrentNode(im->r)) != NULL)
		return xmlGetLineNo(n);
	return xmlTextReaderGetParserLineNumber(im->r);
}

static int vfail(struct imp *, long, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
static int fail(struct imp *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static int fail_at(struct imp *, long, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
vfail(struct imp *im, long line, const char *fmt, va_list ap)
{
	char	 msg[768];

	if (im->failed)
		return -1;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		(void)stmt_fail("%s:%ld: %s", im->name, line, msg);
	else
		(void)stmt_fail("%s: %s", im->name, msg);
	im->failed = 1;
	return -1;
}

/* Refuse the document at the current node's line; always -1. */
static int
fail(struct imp *im, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vfail(im, node_line(im), fmt, ap);
	va_end(ap);
	return -1;
}

/* Refuse the document at a line found earlier; always -1. */
static int
fail_at(struct imp *im, long line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vfail(im, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* libxml2's own errors: the first one, with its line, is the reason. */
static void
xml_error(void *arg, xmlErrorPtr err)
{
	struct imp	*im = arg;
	char		 msg[512];
	size_t		 n;

	if (im->failed || err == NULL || err->level < XML_ERR_ERROR)
		return;
	(void)util_strlcpy(msg, err->message != NULL ? err->message :
	    "unknown error", sizeof(msg));
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (err->line > 0)
		(void)stmt_fail("%s:%d: %s: %s", im->name, err->line,
		    _("malformed XML"), msg);
	else
		(void)stmt_fail("%s: %s: %s", im->name, _("malformed XML"),
		    msg);
	im->failed = 1;
}

/* Collapse runs of white space to one space and trim both ends. */
static void
squeeze(char *s)
{
	char	*r, *w = s;
	int	 sp = 0;

	for (r = s; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n') {
			sp = 1;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = 0;
		*w++ = *r;
	}
	*w = '\0';
}

static int
parse_ns(struct imp *im, const char *ns)
{
	const char	*p;
	int		 msg, ver;

	if (ns == NULL || *ns == '\0')
		return fail(im, _("the document has no namespace: not an ISO "
		    "20022 camt.053 or camt.054 document"));
	if (strncmp(ns, NS_PREFIX, strlen(NS_PREFIX)) != 0)
		goto unknown;
	p = ns + strlen(NS_PREFIX);
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || strncmp(p + 3, ".001.", 5) != 0 ||
	    !isdigit((unsigned char)p[8]) || !isdigit((unsigned char)p[9]) ||
	    p[10] != '\0')
		goto unknown;
	msg = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	ver = (p[8] - '0') * 10 + (p[9] - '0');
	if (msg != 53 && msg != 54)
		return fail(im, _("camt.%03d documents are not imported: only "
		    "camt.053 statements and camt.054 notifications"), msg);
	if (ver < 2 || ver > 8)
		return fail(im, _("camt.%03d version .001.%02d is not "
		    "supported (versions .001.02 to .001.08 are)"), msg, ver);
	im->res->message = msg;
	im->res->version = ver;
	(void)util_strlcpy(im->ns, ns, sizeof(im->ns));
	return 0;
unknown:
	return fail(im, _("unknown namespace '%.100s': expected camt.053 or "
	    "camt.054, versions .001.02 to .001.08"), ns);
}

static struct stmt_tx *
cur_tx(struct imp *im)
{
	if (im->e.ntx == 0 || im->e.ntx > STATEMENT_MAX_TX)
		return &im->scratch;
	return &im->e.tx[im->e.ntx - 1];
}

static void
entry_begin(struct imp *im)
{
	struct stmt_tx	*tx = im->e.tx;
	size_t		 cap = im->e.txcap;

	memset(&im->e, 0, sizeof(im->e));
	im->e.tx = tx;
	im->e.txcap = cap;
	im->e.line = node_line(im);
	im->in_entry = 1;
}

static void
tx_begin(struct imp *im)
{
	size_t	 n = im->e.ntx + 1;

	im->e.ntx = n;
	if (n > STATEMENT_MAX_TX) {
		memset(&im->scratch, 0, sizeof(im->scratch));
		return;
	}
	if (n > im->e.txcap) {
		im->e.txcap = im->e.txcap ? im->e.txcap * 2 : 4;
		if (im->e.txcap > STATEMENT_MAX_TX)
			im->e.txcap = STATEMENT_MAX_TX;
		im->e.tx = xreallocarray(im->e.tx, im->e.txcap,
		    sizeof(*im->e.tx));
	}
	memset(&im->e.tx[n - 1], 0, sizeof(im->e.tx[n - 1]));
}

static int entry_end(struct imp *);

/* Start collecting the text of a field this element holds. */
static int
capture(struct imp *im, const struct field *f, int depth)
{
	char		*base, *dst;
	struct stmt_tx	*tx;
	xmlChar		*ccy;
	size_t		 size = f->size;

	switch (f->where) {
	case W_STMT:
		base = (char *)&im->st;
		break;
	case W_ENTRY:
		base = (char *)&im->e;
		break;
	case W_TX:
		base = (char *)cur_tx(im);
		break;
	case W_TXREF:
		tx = cur_tx(im);
		if (tx->nrefs >= MAX_REFS)
			return 0;	/* the first few are plenty */
		base = (char *)tx->refs[tx->nrefs++];
		size = sizeof(tx->refs[0]);
		break;
	default:
		return 0;
	}
	dst = f->where == W_TXREF ? base : base + f->off;
	if (f->ccy_off >= 0) {
		ccy = xmlTextReaderGetAttribute(im->r, BAD_CAST "Ccy");
		if (ccy == NULL || strlen((char *)ccy) != 3 ||
		    !isupper(ccy[0]) || !isupper(ccy[1]) || !isupper(ccy[2])) {
			xmlFree(ccy);
			return fail(im, _("<Amt> without a currency code in "
			    "Ccy"));
		}
		(void)util_strlcpy(base + f->ccy_off, (char *)ccy, 4);
		xmlFree(ccy);
	}
	im->cap = dst;
	im->cap_size = size;
	im->cap_join = f->join;
	im->cap_depth = depth;
	im->cap_elen = 0;
	im->cap_field = f->path;
	if (f->join && dst[0] != '\0') {
		im->cap_len = strlen(dst);
		if (im->cap_len + 2 < size) {
			dst[im->cap_len++] = ' ';
			dst[im->cap_len] = '\0';
		}
	} else {
		dst[0] = '\0';
		im->cap_len = 0;
	}
	return 0;
}

static void
capture_end(struct imp *im)
{
	if (im->cap != NULL)
		squeeze(im->cap);
	im->cap = NULL;
}

static int
on_text(struct imp *im)
{
	const char	*v;
	size_t		 n, room, k;

	if (im->cap == NULL ||
	    xmlTextReaderDepth(im->r) != im->cap_depth + 1)
		return 0;
	if ((v = (const char *)xmlTextReaderConstValue(im->r)) == NULL)
		return 0;
	n = strlen(v);
	im->cap_elen += n;
	if (im->cap_len == 0)		/* leading white space is layout */
		for (; n > 0 && isspace((unsigned char)*v); v++, n--)
			;
	if (im->cap_elen > STATEMENT_MAX_TEXT)
		return fail(im, _("<%s> holds more than %d bytes of text"),
		    strrchr(im->cap_field, '/') != NULL ?
		    strrchr(im->cap_field, '/') + 1 : im->cap_field,
		    STATEMENT_MAX_TEXT);
	room = im->cap_size - 1 - im->cap_len;
	if (n > room) {
		for (k = room; k < n && isspace((unsigned char)v[k]); k++)
			;
		if (!im->cap_join && k < n)
			return fail(im, _("<%s> is too long"),
			    strrchr(im->cap_field, '/') != NULL ?
			    strrchr(im->cap_field, '/') + 1 : im->cap_field);
		/* Joined free text is only shown: cut it at a character. */
		n = room;
		while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(im->cap + im->cap_len, v, n);
	im->cap_len += n;
	im->cap[im->cap_len] = '\0';
	return 0;
}

static int
on_start(struct imp *im)
{
	const char	*name, *ns;
	size_t		 i, len, nlen;
	int		 depth, ours;

	depth = xmlTextReaderDepth(im->r);
	name = (const char *)xmlTextReaderConstLocalName(im->r);
	ns = (const char *)xmlTextReaderConstNamespaceUri(im->r);
	if (name == NULL)
		return fail(im, _("malformed XML"));
	if (depth >= STATEMENT_MAX_DEPTH)
		return fail(im, _("elements are nested more than %d deep"),
		    STATEMENT_MAX_DEPTH);
	if (depth == 0) {
		if (im->root_seen)
			return fail(im, _("malformed XML"));
		im->root_seen = 1;
		if (parse_ns(im, ns) == -1)
			return -1;
		if (strcmp(name, "Document") != 0)
			return fail(im, _("the root element is <%.64s>, not "
			    "<Document>"), name);
		return 0;
	}
	/* The reader interns names: the same pointer, mostly. */
	ours = ns != NULL && (ns == im->ns_seen || strcmp(ns, im->ns) == 0);
	if (ours)
		im->ns_seen = ns;
	if (depth == 1) {
		const char *want = im->res->message == 53 ? "BkToCstmrStmt" :
		    "BkToCstmrDbtCdtNtfctn";

		if (!ours || strcmp(name, want) != 0)
			return fail(im, _("<Document> holds <%.64s>, not "
			    "<%s>"), name, want);
		return 0;
	}
	if (depth == 2) {
		im->in_stmt = ours && strcmp(name, im->res->message == 53 ?
		    "Stmt" : "Ntfctn") == 0;
		if (im->in_stmt)
			memset(&im->st, 0, sizeof(im->st));
		im->path[0] = '\0';
		im->off[3] = 0;
		return 0;
	}
	if (!im->in_stmt)
		return 0;
	/* depth >= 3: the path below the statement element. */
	nlen = strlen(name);
	if (nlen > NAME_MAX_LEN)
		return fail(im, _("an element name is longer than %d "
		    "characters"), NAME_MAX_LEN);
	len = im->off[depth];
	if (len + nlen + 2 >= sizeof(im->path))
		return fail(im, _("elements are nested too deep"));
	if (depth > 3)
		im->path[len++] = '/';
	if (ours) {
		memcpy(im->path + len, name, nlen);
		len += nlen;
	} else
		im->path[len++] = '*';	/* other namespaces: never ours */
	im->path[len] = '\0';
	if (depth < STATEMENT_MAX_DEPTH)
		im->off[depth + 1] = len;

	if (depth == 3 && strcmp(im->path, "Ntry") == 0) {
		entry_begin(im);
		return 0;
	}
	if (!im->in_entry && strncmp(im->path, "Ntry", 4) == 0)
		return 0;
	if (strcmp(im->path, "Ntry/NtryDtls/TxDtls") == 0) {
		tx_begin(im);
		return 0;
	}
	for (i = 0; i < nitems(fields); i++)
		if (field_len[i] == len &&
		    memcmp(im->path, fields[i].path, len) == 0)
			return capture(im, &fields[i], depth);
	return 0;
}

/* A compact upper-case IBAN for comparison ("" if not one). */
static void
iban_compact(const char *in, char out[IDENT_IBAN_SIZE])
{
	const char	*errstr;

	if (ident_iban_parse(in, out, &errstr) == -1)
		(void)util_strlcpy(out, in, IDENT_IBAN_SIZE);
}

static int
on_end(struct imp *im)
{
	char	 a[IDENT_IBAN_SIZE], b[IDENT_IBAN_SIZE];
	int	 depth = xmlTextReaderDepth(im->r);

	if (im->cap != NULL && depth == im->cap_depth)
		capture_end(im);
	if (depth == 2)
		im->in_stmt = 0;
	if (!im->in_stmt || depth < 3)
		return 0;
	if (depth == 3 && strcmp(im->path, "Acct") == 0 &&
	    im->st.iban[0] != '\0' && im->o->iban != NULL &&
	    im->o->iban[0] != '\0') {
		iban_compact(im->st.iban, a);
		iban_compact(im->o->iban, b);
		if (strcmp(a, b) != 0)
			return fail(im, _("the statement is for account %s, "
			    "not for %s ([payments] iban)"), a, b);
	}
	if (depth == 3 && im->in_entry && strcmp(im->path, "Ntry") == 0) {
		im->in_entry = 0;
		if (entry_end(im) == -1)
			return -1;
	}
	im->path[im->off[depth]] = '\0';
	return 0;
}

/*
 * An amount as ISO 20022 writes it ("12.3", "1500", "0.50") into cents of
 * its currency; for EUR more than two non-zero decimals is an error.
 */
static int
parse_amount(const char *s, int strict, int64_t *cents)
{
	int64_t	 v = 0;
	int	 digits = 0, frac = 0;

	for (; isdigit((unsigned char)*s); s++) {
		if (++digits > 13)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	v *= 100;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, frac++) {
			if (frac >= 5)
				return -1;
			if (frac == 0)
				v += (*s - '0') * 10;
			else if (frac == 1)
				v += *s - '0';
			else if (*s != '0' && strict)
				return -1;
		}
		if (frac == 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*cents = v;
	return 0;
}

/* "YYYY-MM-DD" from an ISODate or ISODateTime, "" when absent. */
static int
parse_day(const char *in, char out[11])
{
	int	 y, m, d;

	out[0] = '\0';
	if (*in == '\0')
		return 0;
	if (strlen(in) < 10)
		return -1;
	memcpy(out, in, 10);
	out[10] = '\0';
	if (util_parse_date(out, &y, &m, &d) == -1)
		return -1;
	return 0;
}

static void
fnv(uint64_t *h, const char *s)
{
	for (; *s != '\0'; s++) {
		*h ^= (unsigned char)*s;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0x1f;	/* field separator */
	*h *= 0x100000001b3ULL;
}

/* How many times this hash has come up in the file, this one included. */
static unsigned
seen_count(struct seen *sn, uint64_t h)
{
	size_t	 i, j, oldcap;
	uint64_t *oh;
	unsigned *on;

	if (h == 0)
		h = 1;	/* 0 marks a free slot */
	if (sn->used * 2 >= sn->cap) {
		oldcap = sn->cap;
		oh = sn->h;
		on = sn->n;
		sn->cap = oldcap ? oldcap * 2 : 256;
		sn->h = xcalloc(sn->cap, sizeof(*sn->h));
		sn->n = xcalloc(sn->cap, sizeof(*sn->n));
		for (i = 0; i < oldcap; i++) {
			if (oh[i] == 0)
				continue;
			for (j = oh[i] & (sn->cap - 1); sn->h[j] != 0;
			    j = (j + 1) & (sn->cap - 1))
				;
			sn->h[j] = oh[i];
			sn->n[j] = on[i];
		}
		free(oh);
		free(on);
	}
	for (j = h & (sn->cap - 1); sn->h[j] != 0 && sn->h[j] != h;
	    j = (j + 1) & (sn->cap - 1))
		;
	if (sn->h[j] == 0) {
		sn->h[j] = h;
		sn->used++;
	}
	return ++sn->n[j];
}

/*
 * The entry's key for payments.entry_ref: the bank's AcctSvcrRef; else
 * its NtryRef, which is only unique within one statement, so with the
 * statement's Id; else a hash of what the entry says (the same entry in a
 * camt.054 and the later camt.053 hashes alike), numbered when the file
 * holds identical entries.
 */
static void
entry_key(struct imp *im, char *buf, size_t size)
{
	const struct stmt_entry *e = &im->e;
	const struct stmt_tx *tx;
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i, n;
	int		 r;
	unsigned	 k;

	if (e->acct_ref[0] != '\0') {
		(void)util_strlcpy(buf, e->acct_ref, size);
		return;
	}
	if (e->ntry_ref[0] != '\0' && im->st.id[0] != '\0') {
		if (util_snprintf(buf, size, "n:%s/%s", im->st.id,
		    e->ntry_ref) == 0)
			return;
	}
	fnv(&h, im->st.iban);
	fnv(&h, e->bookg);
	fnv(&h, e->val);
	fnv(&h, e->amt);
	fnv(&h, e->ccy);
	fnv(&h, e->cdi);
	fnv(&h, e->ntry_ref);
	fnv(&h, e->addtl);
	n = e->ntx < STATEMENT_MAX_TX ? e->ntx : STATEMENT_MAX_TX;
	for (i = 0; i < n; i++) {
		tx = &e->tx[i];
		fnv(&h, tx->acct_ref);
		fnv(&h, tx->e2e);
		fnv(&h, tx->amt);
		fnv(&h, tx->txamt);
		fnv(&h, tx->debtor);
		fnv(&h, tx->dbtr_iban);
		fnv(&h, tx->ustrd);
		for (r = 0; r < tx->nrefs; r++)
			fnv(&h, tx->refs[r]);
	}
	k = seen_count(&im->seen, h);
	if (k == 1)
		(void)util_snprintf(buf, size, "h:%016llx",
		    (unsigned long long)h);
	else
		(void)util_snprintf(buf, size, "h:%016llx.%u",
		    (unsigned long long)h, k);
}

/* Look a candidate up as a fee reference: 1 found (in im->fee), 0, -1. */
static int
try_ref(struct imp *im, const char *ref, char *found, size_t fsize)
{
	int	 rc;

	if ((rc = payments_fee_by_ref(im->s, ref, &im->fee)) == -1)
		return -1;
	if (rc == 1)
		return 0;
	(void)util_strlcpy(found, im->fee.reference, fsize);
	return 1;
}

/*
 * References people type into free text: RF references (checked, in
 * groups of four or not) first, then words that could be an own
 * reference. Records the first valid RF in found when nothing matches.
 */
static int
scan_text(struct imp *im, const char *text, char *found, size_t fsize)
{
	char		 cand[32], rf[IDENT_RF_SIZE], tok[40];
	const char	*p, *errstr;
	size_t		 n, k, ntok = 0;
	int		 id, digit;

	for (p = text; *p != '\0'; p++) {
		if ((p > text && isalnum((unsigned char)p[-1])) ||
		    toupper((unsigned char)p[0]) != 'R' ||
		    toupper((unsigned char)p[1]) != 'F' ||
		    !isdigit((unsigned char)p[2]) ||
		    !isdigit((unsigned char)p[3]))
			continue;
		for (n = 0, k = 0; p[k] != '\0' && n < IDENT_RF_SIZE - 1;
		    k++) {
			if (isalnum((unsigned char)p[k]))
				cand[n++] = (char)toupper((unsigned char)p[k]);
			else if (p[k] != ' ' ||
			    !isalnum((unsigned char)p[k + 1]))
				break;
		}
		/* The reference ends where the text runs on: try shorter. */
		for (; n >= 5; n--) {
			cand[n] = '\0';
			if (ident_rf_parse(cand, rf, &errstr) == -1)
				continue;
			if ((id = try_ref(im, rf, found, fsize)) != 0)
				return id;
			if (found[0] == '\0')
				(void)util_strlcpy(found, rf, fsize);
		}
	}
	for (p = text; *p != '\0' && ntok < MAX_TOKENS; ) {
		for (n = 0, digit = 0; isalnum((unsigned char)p[n]) ||
		    p[n] == '/' || p[n] == '-'; n++)
			digit |= isdigit((unsigned char)p[n]);
		if (n == 0) {
			p++;
			continue;
		}
		/* Own references carry a digit; plain words never match. */
		if (digit && n >= 3 && n < sizeof(tok)) {
			ntok++;
			memcpy(tok, p, n);
			tok[n] = '\0';
			if ((id = try_ref(im, tok, found, fsize)) != 0)
				return id;
			for (k = 0; k < n; k++)
				tok[k] = (char)toupper((unsigned char)tok[k]);
			if (memcmp(tok, p, n) != 0 &&
			    (id = try_ref(im, tok, found, fsize)) != 0)
				return id;
		}
		p += n;
	}
	return 0;
}

/*
 * The fee a transaction pays (into im->fee): Strd references, then free
 * text. 1 found, 0 none, -1 database error.
 */
static int
match_fee(struct imp *im, const struct stmt_tx *tx, const char *addtl,
    char *found, size_t fsize)
{
	char		 rf[IDENT_RF_SIZE];
	const char	*errstr;
	int		 i, id;

	found[0] = '\0';
	for (i = 0; i < tx->nrefs; i++) {
		if (tx->refs[i][0] == '\0')
			continue;
		if (strncasecmp(tx->refs[i], "RF", 2) == 0 &&
		    ident_rf_parse(tx->refs[i], rf, &errstr) == 0)
			id = try_ref(im, rf, found, fsize);
		else
			id = try_ref(im, tx->refs[i], found, fsize);
		if (id != 0)
			return id;
		if (found[0] == '\0')
			(void)util_strlcpy(found, tx->refs[i], fsize);
	}
	if ((id = scan_text(im, tx->ustrd, found, fsize)) != 0)
		return id;
	return scan_text(im, addtl, found, fsize);
}

static int
book(struct imp *im, const char *ref, int64_t cents, const char *ccy,
    const char *day, int have_fee, const char *found, const char *debtor,
    const char *info)
{
	struct payments_credit	 c;
	enum payments_status	 status;
	int			 sent;

	memset(&c, 0, sizeof(c));
	c.entry_ref = ref;
	c.cents = cents;
	c.currency = ccy;
	c.booked_on = day;
	c.fee = have_fee ? &im->fee : NULL;
	c.reference = found;
	c.debtor = debtor;
	c.info = info;
	if (payments_book(im->s, &c, &status, &sent) == -1)
		return fail(im, _("database error: %s"), store_errmsg(im->s));
	switch (status) {
	case PAYMENTS_MATCHED:
		im->res->matched++;
		break;
	case PAYMENTS_PARTIAL:
		im->res->partial++;
		break;
	case PAYMENTS_OVER:
		im->res->over++;
		break;
	case PAYMENTS_UNMATCHED:
		im->res->unmatched++;
		break;
	case PAYMENTS_DUPLICATE:
		im->res->duplicates++;
		break;
	}
	im->res->receipts += (size_t)sent;
	return 0;
}

/* Book the transactions of a batch entry one by one: 1 done, 0 cannot. */
static int
book_batch(struct imp *im, const char *key, int64_t total, const char *day)
{
	struct stmt_tx	*tx;
	char		 ref[KEY_SIZE + 16], found[PAYMENTS_REF_SIZE];
	int64_t		 sum = 0, cents;
	int		 fee;
	size_t		 i;

	if (im->e.ntx > STATEMENT_MAX_TX)
		return 0;
	for (i = 0; i < im->e.ntx; i++) {
		tx = &im->e.tx[i];
		if (tx->amt[0] == '\0') {
			(void)util_strlcpy(tx->amt, tx->txamt,
			    sizeof(tx->amt));
			(void)util_strlcpy(tx->amt_ccy, tx->txamt_ccy,
			    sizeof(tx->amt_ccy));
		}
		if (tx->amt[0] == '\0' || strcmp(tx->amt_ccy, im->e.ccy) != 0 ||
		    (tx->cdi[0] != '\0' && strcmp(tx->cdi, "CRDT") != 0) ||
		    parse_amount(tx->amt, 0, &cents) == -1 || cents == 0)
			return 0;
		sum += cents;
	}
	if (sum != total)
		return 0;
	for (i = 0; i < im->e.ntx; i++) {
		tx = &im->e.tx[i];
		(void)parse_amount(tx->amt, 0, &cents);
		if (util_snprintf(ref, sizeof(ref), "%s/%zu", key, i + 1) == -1)
			return fail(im, _("an entry reference is too long"));
		fee = match_fee(im, tx, "", found, sizeof(found));
		if (fee < 0)
			return fail(im, _("database error: %s"),
			    store_errmsg(im->s));
		if (book(im, ref, cents, im->e.ccy, day, fee, found,
		    tx->debtor, tx->ustrd) == -1)
			return -1;
	}
	return 1;
}

static int
entry_end(struct imp *im)
{
	struct stmt_entry	*e = &im->e;
	struct stmt_tx		 none, *tx;
	char			 day[11], vday[11], key[KEY_SIZE];
	char			 found[PAYMENTS_REF_SIZE], info[TEXT_SIZE];
	int64_t			 cents;
	int			 fee;
	int			 rc;

	im->res->entries++;
	if (e->amt[0] == '\0')
		return fail_at(im, e->line, _("the entry has no <Amt>"));
	if (strcmp(e->cdi, "CRDT") != 0 && strcmp(e->cdi, "DBIT") != 0)
		return fail_at(im, e->line, _("the entry's <CdtDbtInd> must be "
		    "CRDT or DBIT"));
	if (parse_amount(e->amt, strcmp(e->ccy, "EUR") == 0, &cents) == -1)
		return fail_at(im, e->line, _("the entry's amount '%.40s' is "
		    "not valid"), e->amt);
	if (parse_day(e->bookg, day) == -1 || parse_day(e->val, vday) == -1)
		return fail_at(im, e->line, _("the entry's booking or value "
		    "date is not valid"));
	if (strcmp(e->cdi, "CRDT") != 0 || strcmp(e->sts, "BOOK") != 0 ||
	    strcmp(e->rvsl, "true") == 0 || strcmp(e->rvsl, "1") == 0 ||
	    cents == 0) {
		im->res->skipped++;
		return 0;
	}
	if (day[0] == '\0')
		(void)util_strlcpy(day, vday, sizeof(day));
	if (day[0] == '\0')
		clock_date(clock_now(), day, sizeof(day));
	entry_key(im, key, sizeof(key));

	if (e->ntx > 1) {
		if ((rc = book_batch(im, key, cents, day)) != 0)
			return rc == 1 ? 0 : -1;
		/* No per-transaction amounts: one unmatched payment. */
		(void)util_snprintf(info, sizeof(info), _("batch of %zu "
		    "transactions: %s"), e->ntx, e->tx[0].ustrd);
		return book(im, key, cents, e->ccy, day, 0, NULL,
		    e->tx[0].debtor, info);
	}
	if (e->ntx == 1)
		tx = &e->tx[0];
	else {
		memset(&none, 0, sizeof(none));
		tx = &none;
	}
	if ((fee = match_fee(im, tx, e->addtl, found, sizeof(found))) < 0)
		return fail(im, _("database error: %s"), store_errmsg(im->s));
	return book(im, key, cents, e->ccy, day, fee, found, tx->debtor,
	    tx->ustrd[0] != '\0' ? tx->ustrd : e->addtl);
}

static int
run(struct imp *im)
{
	int	 rc = 0, type;

	while (!im->failed && (rc = xmlTextReaderRead(im->r)) == 1) {
		type = xmlTextReaderNodeType(im->r);
		switch (type) {
		case XML_READER_TYPE_ELEMENT:
			if (on_start(im) == -1)
				return -1;
			if (xmlTextReaderIsEmptyElement(im->r) == 1 &&
			    on_end(im) == -1)
				return -1;
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (on_end(im) == -1)
				return -1;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
			if (on_text(im) == -1)
				return -1;
			break;
		case XML_READER_TYPE_DOCUMENT_TYPE:
			return fail(im, _("a document type declaration (DTD) "
			    "is not allowed in a bank statement"));
		case XML_READER_TYPE_ENTITY_REFERENCE:
		case XML_READER_TYPE_ENTITY:
			return fail(im, _("entity references are not allowed "
			    "in a bank statement"));
		default:
			break;
		}
	}
	if (im->failed)
		return -1;
	if (rc == -1)
		return fail(im, _("malformed XML"));
	if (!im->root_seen)
		return fail(im, _("the file holds no XML document"));
	return 0;
}

static int
import(struct imp *im)
{
	int	 rc;

	xmlTextReaderSetStructuredErrorHandler(im->r, xml_error, im);
	(void)util_strlcpy(im->saved_lang, i18n_lang(),
	    sizeof(im->saved_lang));
	if (store_begin(im->s) == -1) {
		(void)stmt_fail("%s: %s", im->name, _("cannot start a "
		    "database transaction"));
		return -1;
	}
	(void)store_bulk(im->s, 1);
	rc = run(im);
	(void)store_bulk(im->s, 0);
	/* Receipts switch languages; the caller keeps its own. */
	(void)i18n_set_lang(im->saved_lang);
	if (rc == -1 || im->o->dry_run) {
		store_rollback(im->s);
		return rc;
	}
	if (store_commit(im->s) == -1) {
		(void)stmt_fail("%s: %s", im->name, _("cannot commit: "
		    "nothing was booked"));
		return -1;
	}
	return 0;
}

static void
imp_init(struct imp *im, struct store *s, const struct statement_opts *o,
    struct statement_result *res, const char *name)
{
	size_t	 i;

	memset(im, 0, sizeof(*im));
	memset(res, 0, sizeof(*res));
	im->s = s;
	im->o = o;
	im->res = res;
	im->name = o->display_name != NULL ? o->display_name : name;
	xmlInitParser();
	if (field_len[0] == 0)
		for (i = 0; i < nitems(fields); i++)
			field_len[i] = strlen(fields[i].path);
}

static void
imp_free(struct imp *im)
{
	if (im->r != NULL)
		xmlFreeTextReader(im->r);
	free(im->e.tx);
	free(im->seen.h);
	free(im->seen.n);
}

/*
 * No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading or
 * validation, no network, and libxml2's default size limits (no HUGE).
 */
#define READER_OPTS	(XML_PARSE_NONET | XML_PARSE_NOCDATA |		\
			    XML_PARSE_BIG_LINES)

int
statement_import_file(struct store *s, const char *path,
    const struct statement_opts *o, struct statement_result *res,
    const char **errstr)
{
	struct imp	 im;
	int		 fd, rc;

	imp_init(&im, s, o, res, path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errstr = stmt_fail("%s: %s", im.name, strerror(errno));
		return -1;
	}
	if ((im.r = xmlReaderForFd(fd, NULL, NULL, READER_OPTS)) == NULL) {
		*errstr = stmt_fail("%s: %s", im.name, _("cannot read the "
		    "file"));
		(void)close(fd);
		return -1;
	}
	rc = import(&im);
	imp_free(&im);
	(void)close(fd);
	if (rc == -1)
		*errstr = stmt_err;
	return rc;
}

int
statement_import_mem(struct store *s, const void *data, size_t len,
    const struct statement_opts *o, struct statement_result *res,
    const char **errstr)
{
	struct imp	 im;
	int		 rc;

	imp_init(&im, s, o, res, "(memory)");
	if (len > INT32_MAX || (im.r = xmlReaderForMemory(data, (int)len,
	    NULL, NULL, READER_OPTS)) == NULL) {
		*errstr = stmt_fail("%s: %s", im.name, _("cannot read the "
		    "document"));
		return -1;
	}
	rc = import(&im);
	imp_free(&im);
	if (rc == -1)
		*errstr = stmt_err;
	return rc;
}
