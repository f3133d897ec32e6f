/*
 * ctl_pay: munictl pay epc|qr, import statement and report payments — a
 * fee's EPC payload and QR code as the kiosk shows them, and the bank
 * statements that tell muni what was paid.
 *
 * `pay epc` writes the payload bytes and nothing else: no newline is
 * added (the payload has none at its end), so its output compares byte
 * for byte with what a scanner reads from the code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "epc.h"
#include "i18n.h"
#include "ident.h"
#include "log.h"
#include "payments.h"
#include "qr.h"
#include "statement.h"
#include "store.h"
#include "util.h"

/* The kiosk's screen: the QR code must fit it in half blocks. */
#define PAY_COLS	80
#define PAY_ROWS	24
#define PAY_SVG_MM	40	/* printed size; EPC asks for at least 2 cm */
#define PAY_KEY_MAX	64

/* Light on dark, whatever the terminal's defaults (see qr.h). */
#define QR_ON		"\033[97;40m"
#define QR_OFF		"\033[0m"

/* The fee named by key, or a message and 1 (none, paid) or -1 (error). */
static int
pay_fee(struct ctl *ctl, const char *cmd, const char *key,
    struct payments_fee *f)
{
	struct store	*s;
	char		 shown[PAY_KEY_MAX + 1];
	int		 rc;

	if ((s = ctl_store(ctl)) == NULL)
		return -1;
	/* Whatever was typed goes into messages: never a personal code. */
	(void)util_strlcpy(shown, key, sizeof(shown));
	(void)log_scrub(shown);
	rc = strlen(key) > PAY_KEY_MAX ? 1 : payments_fee_find(s, key, f);
	if (rc == -1) {
		fprintf(stderr, "munictl %s: %s: %s\n", cmd, _("database "
		    "error"), store_errmsg(s));
		return -1;
	}
	if (rc == 1) {
		fprintf(stderr, "munictl %s: ", cmd);
		fprintf(stderr, _("no fee has id or reference '%s'"), shown);
		fputc('\n', stderr);
		return 1;
	}
	if (payments_owed(f) == 0) {
		fprintf(stderr, "munictl %s: ", cmd);
		fprintf(stderr, _("fee %lld (%s) is already paid"),
		    (long long)f->id, f->reference);
		fputc('\n', stderr);
		return 1;
	}
	return 0;
}

/* The payload for f: short enough for the kiosk unless full. */
static int
pay_payload(struct ctl *ctl, const char *cmd, const struct payments_fee *f,
    int full, char *buf, size_t size, size_t *len)
{
	struct payments_payee	 p;
	const char		*errstr;
	size_t			 max = 0;

	payments_payee_from_config(ctl->cfg, &p);
	if (!full)
		max = qr_max_payload(PAY_COLS, PAY_ROWS, QR_MODE_HALF);
	if (payments_epc(f, &p, max, buf, size, len, &errstr) == -1) {
		fprintf(stderr, "munictl %s: %s", cmd, _(errstr));
		if (!full)
			fprintf(stderr, _(" (the code must fit %dx%d; --full "
			    "gives the full form)"), PAY_COLS, PAY_ROWS);
		fputc('\n', stderr);
		return -1;
	}
	return 0;
}

static int
pay_epc(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "full", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *use = "pay epc";
	struct payments_fee	 f;
	char			 buf[EPC_PAYLOAD_SIZE];
	size_t			 len;
	int			 ch, full = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'f')
			return ctl_usage(use);
		full = 1;
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	if (pay_fee(ctl, "pay epc", argv[optind], &f) != 0)
		return 1;
	if (pay_payload(ctl, "pay epc", &f, full, buf, sizeof(buf), &len) ==
	    -1)
		return 1;
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) == EOF) {
		fprintf(stderr, "munictl pay epc: ");
		fprintf(stderr, _("cannot write to standard output: %s"),
		    strerror(errno));
		fputc('\n', stderr);
		return 1;
	}
	return 0;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	if (fwrite(data, 1, len, fp) != len) {
		(void)fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

static int
pay_qr(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "full", no_argument, NULL, 'f' },
		{ "svg", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *use = "pay qr";
	struct payments_fee	 f;
	struct payments_payee	 p;
	struct qr		*qr;
	const char		*svg_path = NULL, *errstr;
	struct epc_fields	 ef;
	char			 buf[EPC_PAYLOAD_SIZE], iban[48];
	char			 amount[I18N_MONEY_SIZE];
	char			*line, *svg;
	size_t			 len, lsize;
	int			 ch, full = 0, cols, rows, row, rc = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			full = 1;
			break;
		case 's':
			svg_path = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	if (pay_fee(ctl, "pay qr", argv[optind], &f) != 0)
		return 1;
	if (pay_payload(ctl, "pay qr", &f, full, buf, sizeof(buf), &len) ==
	    -1)
		return 1;
	if ((qr = qr_encode(buf, len, &errstr)) == NULL) {
		fprintf(stderr, "munictl pay qr: %s\n", _(errstr));
		return 1;
	}
	if (!full && qr_fits(qr, PAY_COLS, PAY_ROWS, QR_MODE_HALF,
	    &errstr) == -1) {
		fprintf(stderr, "munictl pay qr: %s\n", _(errstr));
		goto out;
	}
	qr_text_size(qr, QR_MODE_HALF, &cols, &rows);
	lsize = qr_line_size(qr, QR_MODE_HALF);
	line = xmalloc(lsize);
	for (row = 0; row < rows; row++) {
		if (qr_text_line(qr, QR_MODE_HALF, row, line, lsize) == -1)
			fatalx("qr_text_line %d", row);
		printf(QR_ON "%s" QR_OFF "\n", line);
	}
	free(line);

	/* Not every bank app scans EPC codes: the same as text. */
	payments_payee_from_config(ctl->cfg, &p);
	ident_iban_format(p.iban, iban, sizeof(iban));
	i18n_money(payments_owed(&f), amount, sizeof(amount));
	printf("\n%s %s\n", _("Beneficiary:"), p.name);
	/* A bank app shows the name in the code: say so when it is shorter. */
	if (epc_parse(buf, len, &ef, &errstr) == 0 &&
	    strcmp(ef.name, p.name) != 0)
		printf("%s %s\n", _("Beneficiary in the code:"), ef.name);
	printf("%s %s\n", _("IBAN:"), iban);
	if (p.bic != NULL && *p.bic != '\0')
		printf("%s %s\n", _("BIC:"), p.bic);
	printf("%s %s\n", _("Amount:"), amount);
	printf("%s %s\n", _("Reference:"), f.reference);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "munictl pay qr: ");
		fprintf(stderr, _("cannot write to standard output: %s"),
		    strerror(errno));
		fputc('\n', stderr);
		goto out;
	}
	if (svg_path != NULL) {
		svg = qr_svg(qr, PAY_SVG_MM, &len);
		if (write_file(svg_path, svg, len) == -1) {
			fprintf(stderr, "munictl pay qr: ");
			fprintf(stderr, _("cannot write %s: %s"), svg_path,
			    strerror(errno));
			fputc('\n', stderr);
			free(svg);
			goto out;
		}
		free(svg);
	}
	rc = 0;
out:
	qr_free(qr);
	return rc;
}

int
ctl_pay(struct ctl *ctl, int argc, char **argv)
{
	static const char *use = "pay";

	if (argc < 2)
		return ctl_usage(use);
	/* Options follow the subcommand: getopt sees it as argv[0]. */
	if (strcmp(argv[1], "epc") == 0)
		return pay_epc(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "qr") == 0)
		return pay_qr(ctl, argc - 1, argv + 1);
	return ctl_usage(use);
}

int
ctl_import_statement(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *use = "import statement";
	struct statement_opts	 o;
	struct statement_result	 res;
	struct store		*s;
	const char		*errstr;
	int			 ch;

	memset(&o, 0, sizeof(o));
	if (argc < 2 || strcmp(argv[1], "statement") != 0)
		return ctl_usage(use);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "n", opts, NULL)) != -1) {
		if (ch != 'n')
			return ctl_usage(use);
		o.dry_run = 1;
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	o.iban = config_str(ctl->cfg, CFG_PAYMENTS_IBAN);
	if (statement_import_file(s, argv[optind], &o, &res, &errstr) == -1) {
		fprintf(stderr, "munictl: %s\n%s\n", errstr,
		    _("nothing was booked"));
		return 1;
	}
	printf("document=camt.%03d.001.%02d\n", res.message, res.version);
	printf("entries=%zu matched=%zu partial=%zu over=%zu unmatched=%zu "
	    "duplicates=%zu skipped=%zu receipts=%zu\n", res.entries,
	    res.matched, res.partial, res.over, res.unmatched, res.duplicates,
	    res.skipped, res.receipts);
	if (o.dry_run)
		printf("%s\n", _("dry run: the statement is valid; nothing was "
		    "booked"));
	return 0;
}

/* One unmatched payment for staff; free text may hold a personal code. */
static void
unmatched_line(const struct payments_unmatched *u, void *arg)
{
	char	 amount[24], debtor[256], info[512];

	(void)arg;
	util_format_cents(u->cents, amount, sizeof(amount));
	(void)util_strlcpy(debtor, u->debtor, sizeof(debtor));
	(void)util_strlcpy(info, u->info, sizeof(info));
	(void)log_scrub(debtor);
	(void)log_scrub(info);
	printf("%lld\t%s\t%s %s\t%s", (long long)u->id, u->booked_on,
	    u->currency, amount, u->reason);
	if (*debtor != '\0')
		printf("\t%s: %s", _("payer"), debtor);
	if (*info != '\0')
		printf("\t%s: %s", _("text"), info);
	putchar('\n');
}

int
ctl_report(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unmatched", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *use = "report payments";
	struct payments_summary	 sum;
	struct store		*s;
	char			 owed[24];
	long			 n;
	int			 ch, unmatched = 0;

	if (argc < 2 || strcmp(argv[1], "payments") != 0)
		return ctl_usage(use);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "u", opts, NULL)) != -1) {
		if (ch != 'u')
			return ctl_usage(use);
		unmatched = 1;
	}
	if (argc != optind)
		return ctl_usage(use);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (unmatched) {
		if ((n = payments_unmatched(s, unmatched_line, NULL)) == -1) {
			fprintf(stderr, "munictl report: %s\n",
			    store_errmsg(s));
			return 1;
		}
		printf("unmatched=%ld\n", n);
		return 0;
	}
	if (payments_summary(s, &sum) == -1) {
		fprintf(stderr, "munictl report: %s\n", store_errmsg(s));
		return 1;
	}
	util_format_cents(sum.owed_cents, owed, sizeof(owed));
	printf("payments=%ld matched=%ld partial=%ld over=%ld unmatched=%ld\n",
	    sum.count[0] + sum.count[1] + sum.count[2] + sum.count[3],
	    sum.count[0], sum.count[1], sum.count[2], sum.count[3]);
	printf("unpaid_fees=%ld owed=%s\n", sum.unpaid_fees, owed);
	return 0;
}
