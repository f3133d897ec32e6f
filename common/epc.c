/*
 * epc: EPC069-12 payloads for SEPA credit transfer QR codes. The builder
 * writes only what muni needs (version 002, UTF-8, euro amounts in cents);
 * the parser reads what the standard allows, so payloads made elsewhere
 * can be checked against ours.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "epc.h"
#include "ident.h"
#include "log.h"
#include "util.h"

#define NFIELDS		12

/* The free-text fields, each with its own messages for the user. */
enum text_field {
	TEXT_NAME,
	TEXT_REF,
	TEXT_TEXT,
	TEXT_INFO,
};

static const struct {
	const char	*too_long;
	const char	*control;
	const char	*encoding;
	size_t		 max;
} text_rules[] = {
	[TEXT_NAME] = {
		"beneficiary name is longer than 70 characters",
		"beneficiary name contains a line break or another control "
		    "character",
		"beneficiary name is not valid UTF-8",
		EPC_NAME_MAX },
	[TEXT_REF] = {
		"structured reference is longer than 35 characters",
		"structured reference contains a line break or another "
		    "control character",
		"structured reference is not valid UTF-8",
		EPC_REF_MAX },
	[TEXT_TEXT] = {
		"remittance text is longer than 140 characters",
		"remittance text contains a line break or another control "
		    "character",
		"remittance text is not valid UTF-8",
		EPC_TEXT_MAX },
	[TEXT_INFO] = {
		"information for the payer is longer than 70 characters",
		"information for the payer contains a line break or another "
		    "control character",
		"information for the payer is not valid UTF-8",
		EPC_INFO_MAX },
};

/* The transfer with every field checked and in the form the payload uses. */
struct epc_norm {
	char		 bic[EPC_BIC_SIZE];
	char		 iban[IDENT_IBAN_SIZE];
	char		 amount[24];
	char		 purpose[EPC_PURPOSE_SIZE];
	char		 ref[IDENT_RF_SIZE];
	const char	*text;
	const char	*info;
};

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Characters in s: code points for UTF-8, bytes for the ISO 8859 sets. */
static size_t
text_chars(const char *s, size_t n, int utf8)
{
	size_t	 i, chars = 0;

	for (i = 0; i < n; i++)
		if (!utf8 || ((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

/*
 * A line break inside a field would shift every later field, so control
 * characters are refused outright rather than replaced.
 */
static int
text_check(enum text_field which, const char *s, size_t n, int utf8,
    size_t max, const char **errstr)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			*errstr = text_rules[which].control;
			return -1;
		}
	if (utf8 && !util_utf8_valid(s, n)) {
		*errstr = text_rules[which].encoding;
		return -1;
	}
	if (text_chars(s, n, utf8) > max) {
		*errstr = text_rules[which].too_long;
		return -1;
	}
	return 0;
}

static int
blank(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

/* ISO 9362: bank (4), country (2 letters), location (2), branch (3). */
static int
bic_check(const char *s, size_t n, char *out, const char **errstr)
{
	size_t	 i;

	if (n != 8 && n != 11) {
		*errstr = "BIC must have 8 or 11 letters and digits";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i])) {
			*errstr = "BIC must have 8 or 11 letters and digits";
			return -1;
		}
	if (!isalpha((unsigned char)s[4]) || !isalpha((unsigned char)s[5])) {
		*errstr = "BIC must have a country code as its 5th and 6th "
		    "characters";
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[n] = '\0';
	return 0;
}

static int
purpose_check(const char *s, size_t n, const char **errstr)
{
	size_t	 i;

	if (n == 0 || n > EPC_PURPOSE_MAX) {
		*errstr = "purpose code must be 1-4 letters or digits";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i])) {
			*errstr = "purpose code must be 1-4 letters or digits";
			return -1;
		}
	return 0;
}

static int
cents_check(int64_t cents, const char **errstr)
{
	if (cents < EPC_CENTS_MIN) {
		*errstr = "amount must be at least EUR 0.01";
		return -1;
	}
	if (cents > EPC_CENTS_MAX) {
		*errstr = "amount must be at most EUR 999999999.99";
		return -1;
	}
	return 0;
}

/* Every field but the beneficiary name, which the short form chooses. */
static int
normalize(const struct epc_transfer *t, struct epc_norm *n,
    const char **errstr)
{
	memset(n, 0, sizeof(*n));
	if (!empty(t->bic) && bic_check(t->bic, strlen(t->bic), n->bic,
	    errstr) == -1)
		return -1;
	if (empty(t->iban)) {
		*errstr = "IBAN is missing";
		return -1;
	}
	if (ident_iban_parse(t->iban, n->iban, errstr) == -1)
		return -1;
	if (cents_check(t->cents, errstr) == -1)
		return -1;
	if (util_snprintf(n->amount, sizeof(n->amount), "EUR%lld.%02lld",
	    (long long)(t->cents / 100), (long long)(t->cents % 100)) == -1)
		fatalx("epc: amount outgrew its buffer");
	if (!empty(t->purpose)) {
		if (purpose_check(t->purpose, strlen(t->purpose),
		    errstr) == -1)
			return -1;
		memcpy(n->purpose, t->purpose, strlen(t->purpose) + 1);
	}
	if (!empty(t->reference) && !empty(t->text)) {
		*errstr = "give either an RF reference or remittance text, "
		    "not both";
		return -1;
	}
	if (!empty(t->reference) && ident_rf_parse(t->reference, n->ref,
	    errstr) == -1)
		return -1;
	if (!empty(t->text)) {
		if (text_check(TEXT_TEXT, t->text, strlen(t->text), 1,
		    EPC_TEXT_MAX, errstr) == -1)
			return -1;
		n->text = t->text;
	}
	if (!empty(t->info)) {
		if (text_check(TEXT_INFO, t->info, strlen(t->info), 1,
		    EPC_INFO_MAX, errstr) == -1)
			return -1;
		n->info = t->info;
	}
	return 0;
}

/* The name's characters, with no bound on its length (checked later). */
static int
name_check(const char *name, const char **errstr)
{
	if (empty(name) || blank(name, strlen(name))) {
		*errstr = "beneficiary name is empty";
		return -1;
	}
	return text_check(TEXT_NAME, name, strlen(name), 1, SIZE_MAX, errstr);
}

/*
 * Lay out the payload with the first namelen bytes of name. With buf NULL
 * only *len is computed, so the short form can measure before it writes.
 */
static int
assemble(const struct epc_norm *n, const char *name, size_t namelen,
    char *buf, size_t size, size_t *len, const char **errstr)
{
	const char	*f[NFIELDS];
	size_t		 l[NFIELDS], total = 0, off = 0;
	int		 i, last = 0;

	f[0] = "BCD";
	f[1] = "002";
	f[2] = "1";
	f[3] = "SCT";
	f[4] = n->bic;
	f[5] = name;
	f[6] = n->iban;
	f[7] = n->amount;
	f[8] = n->purpose;
	f[9] = n->ref;
	f[10] = n->text != NULL ? n->text : "";
	f[11] = n->info != NULL ? n->info : "";
	for (i = 0; i < NFIELDS; i++) {
		l[i] = i == 5 ? namelen : strlen(f[i]);
		if (l[i] > 0)
			last = i;
	}
	/* The standard lets trailing empty fields go; a separator each. */
	for (i = 0; i <= last; i++)
		total += l[i] + (i > 0);
	*len = total;
	if (total > EPC_PAYLOAD_MAX) {
		*errstr = "payment details are longer than the 331 bytes an "
		    "EPC QR code may hold";
		return -1;
	}
	if (buf == NULL)
		return 0;
	if (total >= size) {
		*errstr = "payload buffer is too small";
		return -1;
	}
	for (i = 0; i <= last; i++) {
		if (i > 0)
			buf[off++] = '\n';
		memcpy(buf + off, f[i], l[i]);
		off += l[i];
	}
	buf[off] = '\0';
	return 0;
}

int
epc_build(const struct epc_transfer *t, char *buf, size_t size, size_t *len,
    const char **errstr)
{
	struct epc_norm	 n;
	size_t		 namelen;

	if (normalize(t, &n, errstr) == -1 || name_check(t->name,
	    errstr) == -1)
		return -1;
	namelen = strlen(t->name);
	if (text_chars(t->name, namelen, 1) > EPC_NAME_MAX) {
		*errstr = text_rules[TEXT_NAME].too_long;
		return -1;
	}
	return assemble(&n, t->name, namelen, buf, size, len, errstr);
}

/*
 * The length of name cut before the last word that ends at or before
 * len, with the blanks and separators left dangling dropped; 0 when only
 * the first word was left.
 */
static size_t
word_cut(const char *name, size_t len)
{
	size_t	 i = len;

	while (i > 0) {
		i--;
		if (name[i] != ' ')
			continue;
		len = i;
		while (len > 0 && strchr(" ,;:-/", name[len - 1]) != NULL)
			len--;
		if (len > 0)
			return len;
	}
	return 0;
}

int
epc_build_short(const struct epc_transfer *t, const char *short_name,
    size_t max_len, char *buf, size_t size, size_t *len,
    const char **errstr)
{
	struct epc_transfer	 s = *t;
	struct epc_norm		 n;
	const char		*name;
	size_t			 namelen, total;
	const char		*e;

	s.bic = NULL;
	s.purpose = NULL;
	s.info = NULL;
	if (normalize(&s, &n, errstr) == -1)
		return -1;
	name = !empty(short_name) ? short_name : t->name;
	if (name_check(name, errstr) == -1)
		return -1;
	if (max_len > EPC_PAYLOAD_MAX)
		max_len = EPC_PAYLOAD_MAX;

	for (namelen = strlen(name); namelen > 0;
	    namelen = word_cut(name, namelen)) {
		if (text_chars(name, namelen, 1) > EPC_NAME_MAX)
			continue;
		if (assemble(&n, name, namelen, NULL, 0, &total, &e) == 0 &&
		    total <= max_len)
			return assemble(&n, name, namelen, buf, size, len,
			    errstr);
	}

	/* Would a one-letter name fit? Then the name is what is too long. */
	(void)assemble(&n, "x", 1, NULL, 0, &total, &e);
	if (total > max_len)
		*errstr = "IBAN, amount and reference alone do not fit the "
		    "space for the QR code";
	else
		*errstr = "beneficiary name cannot be shortened at a word "
		    "boundary to fit the space for the QR code";
	return -1;
}

/* "EUR" and 0.01-999999999.99 with at most two decimals, into cents. */
static int
amount_parse(const char *s, size_t n, int64_t *cents, const char **errstr)
{
	int64_t	 whole = 0, frac = 0;
	size_t	 i = 3, nwhole = 0, nfrac = 0;

	if (n < 4 || memcmp(s, "EUR", 3) != 0) {
		*errstr = "amount must be EUR followed by a number like 12.34";
		return -1;
	}
	if (n - 3 > 12) {
		*errstr = "amount must be at most EUR 999999999.99";
		return -1;
	}
	for (; i < n && isdigit((unsigned char)s[i]); i++, nwhole++)
		whole = whole * 10 + (s[i] - '0');
	if (i < n && s[i] == '.') {
		for (i++; i < n && isdigit((unsigned char)s[i]); i++) {
			frac = frac * 10 + (s[i] - '0');
			nfrac++;
		}
		if (nfrac == 0 || nfrac > 2) {
			*errstr = "amount must have one or two decimals after "
			    "its point";
			return -1;
		}
		if (nfrac == 1)
			frac *= 10;
	}
	if (nwhole == 0 || i != n) {
		*errstr = "amount must be EUR followed by a number like 12.34";
		return -1;
	}
	/* Twelve characters hold at most 12 digits: no overflow here. */
	*cents = whole * 100 + frac;
	return cents_check(*cents, errstr);
}

static int
field_is(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

int
epc_parse(const void *data, size_t len, struct epc_fields *f,
    const char **errstr)
{
	const char	*p = data, *end, *nl, *line[NFIELDS];
	size_t		 llen[NFIELDS], l, i;
	char		 iban[IDENT_IBAN_SIZE];
	int		 n = 0, utf8;

	memset(f, 0, sizeof(*f));
	if (len == 0) {
		*errstr = "payload is empty";
		return -1;
	}
	if (len > EPC_PAYLOAD_MAX) {
		*errstr = "payload is longer than 331 bytes";
		return -1;
	}
	if (memchr(p, '\0', len) != NULL) {
		*errstr = "payload contains a NUL byte";
		return -1;
	}
	end = p + len;
	if (end[-1] == '\n')
		end--;
	for (;;) {
		if (n == NFIELDS) {
			*errstr = "payload has more than 12 lines";
			return -1;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		l = (size_t)((nl != NULL ? nl : end) - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		line[n] = p;
		llen[n++] = l;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	for (i = (size_t)n; i < NFIELDS; i++) {
		line[i] = "";
		llen[i] = 0;
	}

	if (!field_is(line[0], llen[0], "BCD")) {
		*errstr = "payload does not start with the service tag BCD";
		return -1;
	}
	if (field_is(line[1], llen[1], "001"))
		f->version = 1;
	else if (field_is(line[1], llen[1], "002"))
		f->version = 2;
	else {
		*errstr = "payload version must be 001 or 002";
		return -1;
	}
	if (llen[2] != 1 || line[2][0] < '1' || line[2][0] > '8') {
		*errstr = "character set must be a digit from 1 to 8";
		return -1;
	}
	f->charset = line[2][0] - '0';
	utf8 = f->charset == 1;
	if (!field_is(line[3], llen[3], "SCT")) {
		*errstr = "identification must be SCT";
		return -1;
	}
	if (n < 7) {
		*errstr = "payload ends before the beneficiary's IBAN";
		return -1;
	}

	if (llen[4] == 0 && f->version == 1) {
		*errstr = "BIC is required in version 001";
		return -1;
	}
	if (llen[4] > 0 && bic_check(line[4], llen[4], f->bic, errstr) == -1)
		return -1;

	if (llen[5] == 0 || blank(line[5], llen[5])) {
		*errstr = "beneficiary name is empty";
		return -1;
	}
	if (text_check(TEXT_NAME, line[5], llen[5], utf8, EPC_NAME_MAX,
	    errstr) == -1)
		return -1;
	memcpy(f->name, line[5], llen[5]);

	if (llen[6] == 0) {
		*errstr = "IBAN is missing";
		return -1;
	}
	if (llen[6] >= sizeof(iban)) {
		*errstr = "IBAN is longer than 34 characters";
		return -1;
	}
	memcpy(iban, line[6], llen[6]);
	iban[llen[6]] = '\0';
	if (ident_iban_parse(iban, f->iban, errstr) == -1)
		return -1;
	if (strcmp(iban, f->iban) != 0) {
		*errstr = "IBAN must be written in capitals without spaces";
		return -1;
	}

	if (llen[7] > 0 && amount_parse(line[7], llen[7], &f->cents,
	    errstr) == -1)
		return -1;
	if (llen[8] > 0) {
		if (purpose_check(line[8], llen[8], errstr) == -1)
			return -1;
		memcpy(f->purpose, line[8], llen[8]);
	}
	if (llen[9] > 0 && llen[10] > 0) {
		*errstr = "payload has both a structured reference and "
		    "remittance text";
		return -1;
	}
	if (text_check(TEXT_REF, line[9], llen[9], utf8, EPC_REF_MAX,
	    errstr) == -1 || text_check(TEXT_TEXT, line[10], llen[10], utf8,
	    EPC_TEXT_MAX, errstr) == -1 || text_check(TEXT_INFO, line[11],
	    llen[11], utf8, EPC_INFO_MAX, errstr) == -1)
		return -1;
	memcpy(f->reference, line[9], llen[9]);
	memcpy(f->text, line[10], llen[10]);
	memcpy(f->info, line[11], llen[11]);
	return 0;
}
