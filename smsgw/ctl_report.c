/*
 * ctl_report: munictl report — tables for people by default (services
 * per channel by week and territory, deliveries and costs by broadcast
 * and topic, card checks by merchant, cases by status and age) with bar
 * charts of UTF-8 blocks fitted to the terminal; --csv the same tables
 * for a spreadsheet; --raw the key=value figures scripts read, all time
 * and for the last 24 hours, exactly as they always were.
 */
#include <sys/ioctl.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "i18n.h"
#include "stats.h"
#include "store.h"
#include "util.h"

#define REPORT_WIDTH	80	/* not a terminal, or it will not say */
#define REPORT_BAR_MIN	10
#define REPORT_DAYS	56	/* the default range: eight weeks */

static const char use[] = "report";

/* The key=value figures: --raw, as munictl report printed them before. */
static int
report_raw(struct store *s)
{
	struct stats	 x;
	struct card_report cr;
	char		 owed[32];
	int64_t		 sent = 0, done = 0;
	int		 i;

	if (stats_collect(s, clock_now() - 86400, &x) == -1) {
		fprintf(stderr, "munictl report: %s\n", store_errmsg(s));
		return 1;
	}
	util_format_cents(x.owed_cents, owed, sizeof(owed));
	printf("residents=%lld with_mobile=%lld queue_active=%lld\n",
	    (long long)x.residents, (long long)x.with_mobile,
	    (long long)x.queue_active);
	printf("fees_unpaid=%lld owed=%s reports=%lld broadcasts=%lld\n",
	    (long long)x.fees_unpaid, owed, (long long)x.reports,
	    (long long)x.broadcasts);
	printf("mo_total=%lld mo_24h=%lld\n", (long long)x.inbox_total,
	    (long long)x.inbox_since);
	for (i = 0; i < STATS_STATES; i++) {
		printf("%s=%lld\n", stats_state_name(i),
		    (long long)x.outbox_total[i]);
		sent += x.outbox_total[i];
	}
	/* Delivered of those that reached a final state at the SMSC. */
	done = x.outbox_total[3] + x.outbox_total[4] + x.outbox_total[5] +
	    x.outbox_total[6];
	printf("messages=%lld delivery_rate=%.3f\n", (long long)sent,
	    done > 0 ? (double)x.outbox_total[3] / (double)done : 0.0);
	for (i = 0; i < STATS_STATES; i++)
		printf("%s_24h=%lld\n", stats_state_name(i),
		    (long long)x.outbox_since[i]);
	/* The resident card: partner merchants and the checks they made. */
	if (card_report(s, clock_now() - 86400, &cr) == -1) {
		fprintf(stderr, "munictl report: %s\n", store_errmsg(s));
		return 1;
	}
	printf("merchants=%lld offers=%lld card_checks=%lld card_valid=%lld "
	    "card_checks_24h=%lld\n", (long long)cr.merchants,
	    (long long)cr.offers, (long long)cr.checks, (long long)cr.valid,
	    (long long)cr.checks_since);
	return 0;
}

/* Columns a UTF-8 string takes: its code points (no wide ones here). */
static size_t
width_of(const char *p)
{
	size_t	 n = 0;

	for (; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			n++;
	return n;
}

static void
pad(const char *cell, size_t w, int right)
{
	size_t	 n = width_of(cell);

	if (right)
		printf("%*s%s", (int)(w > n ? w - n : 0), "", cell);
	else
		printf("%s%*s", cell, (int)(w > n ? w - n : 0), "");
}

/* A bar of v against max in at most w columns, in eighths of a block. */
static void
bar(int64_t v, int64_t max, size_t w)
{
	static const char *const part[8] = {
		"", "▏", "▎", "▍", "▌", "▋", "▊", "▉",
	};
	int64_t	 eighths;

	if (max <= 0 || v <= 0 || w == 0)
		return;
	eighths = (int64_t)((double)v / (double)max * (double)w * 8.0 + 0.5);
	if (eighths == 0)
		eighths = 1;	/* something, not nothing */
	for (; eighths >= 8; eighths -= 8)
		fputs("█", stdout);
	fputs(part[eighths], stdout);
}

static void
table_text(const struct stats_table *t, size_t cols)
{
	size_t	 w[STATS_COLS], i, used = 0, bw;
	int64_t	 max = 0;
	int	 k;

	printf("%s\n", t->title);
	for (k = 0; k < t->ncols; k++) {
		w[k] = width_of(t->head[k]);
		for (i = 0; i < t->nrows; i++)
			if (width_of(t->rows[i].cell[k]) > w[k])
				w[k] = width_of(t->rows[i].cell[k]);
		used += w[k] + 2;
	}
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].bar > max)
			max = t->rows[i].bar;
	/* The bar takes what the columns leave; never past the edge. */
	bw = cols > used + 1 ? cols - used - 1 : 0;
	if (bw < REPORT_BAR_MIN)
		bw = 0;
	for (k = 0; k < t->ncols; k++) {
		pad(t->head[k], w[k], t->right[k]);
		fputs("  ", stdout);
	}
	if (bw >= width_of(t->bar_of))
		fputs(t->bar_of, stdout);
	putchar('\n');
	for (i = 0; i < t->nrows; i++) {
		for (k = 0; k < t->ncols; k++) {
			pad(t->rows[i].cell[k], w[k], t->right[k]);
			fputs("  ", stdout);
		}
		bar(t->rows[i].bar, max, bw);
		putchar('\n');
	}
	if (t->nrows == 0)
		printf("  %s\n", _("(nothing in this range)"));
	if (t->truncated)
		printf("  %s\n", _("(more rows than shown)"));
	putchar('\n');
}

/* One CSV field: quoted when it holds a comma, a quote or a newline. */
static void
csv_field(const char *f, int last)
{
	if (strpbrk(f, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *f != '\0'; f++) {
			if (*f == '"')
				putchar('"');
			putchar(*f);
		}
		putchar('"');
	} else
		fputs(f, stdout);
	putchar(last ? '\n' : ',');
}

static void
table_csv(const struct stats_table *t, int first)
{
	size_t	 i;
	int	 k;

	if (!first)
		putchar('\n');
	/* The section's name on a line of its own, then the header. */
	csv_field(t->name, 1);
	for (k = 0; k < t->ncols; k++)
		csv_field(t->head[k], k == t->ncols - 1);
	for (i = 0; i < t->nrows; i++)
		for (k = 0; k < t->ncols; k++)
			csv_field(t->rows[i].cell[k], k == t->ncols - 1);
}

/*
 * A YYYY-MM-DD day in the municipality's zone: its local midnight, plus
 * days. 0, or -1 with the error printed naming the option.
 */
static int
day_start(const char *opt, const char *d, int days, time_t *out)
{
	struct tm	 tm;
	int		 y, m, day;

	if (strlen(d) != 10 || util_parse_date(d, &y, &m, &day) == -1) {
		fprintf(stderr, _("munictl report: %s '%s': not a date "
		    "(YYYY-MM-DD)\n"), opt, d);
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = day + days;
	tm.tm_isdst = -1;
	*out = clock_mktime_local(&tm);
	return 0;
}

/* Local midnight of t's day, plus days. */
static time_t
midnight(time_t t, int days)
{
	struct tm	 tm;

	clock_local(t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return clock_mktime_local(&tm);
}

static size_t
terminal_width(void)
{
	struct winsize	 ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ,
	    &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return REPORT_WIDTH;
}

int
ctl_report_usage(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_table	 t;
	struct stats_range	 r;
	struct store		*s;
	const char		*since = NULL, *until = NULL;
	struct tm		 tm;
	char			 a[16], b[16];
	size_t			 cols;
	int			 ch, raw = 0, csv = 0, k;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			raw = 1;
			break;
		case 'c':
			csv = 1;
			break;
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (optind != argc || (raw && (csv || since != NULL ||
	    until != NULL)))
		return ctl_usage(use);
	memset(&r, 0, sizeof(r));
	r.now = clock_now();
	r.until = midnight(r.now, 1);
	if ((until != NULL && day_start("--until", until, 1, &r.until) ==
	    -1))
		return 1;
	/* Eight whole weeks to the last day, from a Monday. */
	r.since = midnight(r.until - 1, -REPORT_DAYS + 1);
	clock_local(r.since, &tm);
	r.since = midnight(r.since, -((tm.tm_wday + 6) % 7));
	if (since != NULL && day_start("--since", since, 0, &r.since) == -1)
		return 1;
	if (r.since >= r.until) {
		fprintf(stderr, _("munictl report: --since %s is after "
		    "--until %s\n"), since != NULL ? since : "",
		    until != NULL ? until : "");
		return 1;
	}
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (raw)
		return report_raw(s);
	r.price = config_double(ctl->cfg, CFG_SMS_PRICE_PER_SEGMENT);
	cols = terminal_width();
	if (!csv) {
		clock_date(r.since, a, sizeof(a));
		clock_date(r.until - 1, b, sizeof(b));
		printf(_("munictl report: %s to %s (%s)\n"), a, b,
		    clock_zone());
		putchar('\n');
	}
	for (k = 0; k < STATS_NTABLES; k++) {
		if (stats_table(s, (enum stats_table_kind)k, &r, &t) == -1) {
			fprintf(stderr, "munictl report: %s\n",
			    store_errmsg(s));
			stats_table_free(&t);
			return 1;
		}
		if (csv)
			table_csv(&t, k == 0);
		else
			table_text(&t, cols);
		stats_table_free(&t);
	}
	return 0;
}
