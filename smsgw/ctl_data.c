/*
 * ctl_data: munictl init, demo and import — how a municipality's data gets
 * into muni.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "demo.h"
#include "i18n.h"
#include "import.h"
#include "log.h"
#include "store.h"
#include "topics.h"
#include "util.h"

int
ctl_init(struct ctl *ctl, int argc, char **argv)
{
	struct store	*s;
	const char	*path, *errstr;
	int64_t		 ntopics = 0;
	int		 found, seeded = 0;

	if (argc != 1)
		return ctl_usage("init");
	(void)argv;
	path = config_database(ctl->cfg);
	if ((s = store_open(path, STORE_CREATE | STORE_MIGRATE, &errstr)) ==
	    NULL) {
		fprintf(stderr, "munictl: %s\n", errstr);
		return 1;
	}
	found = store_version_found(s);
	/* Reference data only for a new database: staff may edit it later. */
	if (found == 0 && (store_begin(s) == -1 ||
	    demo_reference_data(s) == -1 || store_commit(s) == -1)) {
		fprintf(stderr, "munictl: %s: %s\n", path,
		    _("cannot write the reference data"));
		store_rollback(s);
		store_close(s);
		return 1;
	}
	/*
	 * A database made before init seeded topics has none, so STOP/START
	 * and broadcasts had nothing to name: give it the standard set. One
	 * with topics keeps them, including the ones staff removed.
	 */
	if (found != 0 && (topics_count(s, &ntopics, NULL) == -1 ||
	    (ntopics == 0 && topics_seed(s, &seeded) == -1))) {
		fprintf(stderr, "munictl: %s: %s\n", path,
		    _("cannot write the standard topics"));
		store_close(s);
		return 1;
	}
	if (found == 0)
		printf(_("database %s created\n"), path);
	else if (found < store_schema_version())
		printf(_("database %s upgraded from schema version %d\n"),
		    path, found);
	else
		printf(_("database %s is up to date\n"), path);
	printf("schema=%d\n", store_schema_version());
	if (seeded > 0)
		printf("topics_seeded=%d\n", seeded);
	if (topics_count(s, &ntopics, NULL) == 0)
		printf("topics=%lld\n", (long long)ntopics);
	/* PostgreSQL: the three roles, granted table by table (ctl_pg.c). */
	if (config_str(ctl->cfg, CFG_DATABASE_URL)[0] != '\0' &&
	    ctl_pg_roles(s) == -1) {
		store_close(s);
		return 1;
	}
	store_close(s);
	return 0;
}

int
ctl_demo(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "residents", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *use = "demo";
	struct demo_result res;
	struct store	*s;
	const char	*errstr;
	long long	 n = 2000, seed = 1;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (util_strtonum(optarg, 1, DEMO_MAX_RESIDENTS, &n,
			    &errstr) == -1) {
				fprintf(stderr, "munictl demo: --residents "
				    "'%s' %s (1-%d)\n", optarg, _(errstr),
				    DEMO_MAX_RESIDENTS);
				return 2;
			}
			break;
		case 's':
			if (util_strtonum(optarg, 0, INT64_MAX, &seed,
			    &errstr) == -1) {
				fprintf(stderr, "munictl demo: --seed '%s' "
				    "%s\n", optarg, _(errstr));
				return 2;
			}
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (optind != argc)
		return ctl_usage(use);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (demo_fill(s, (size_t)n, (uint64_t)seed, &res, &errstr) == -1) {
		fprintf(stderr, "munictl demo: %s\n", _(errstr));
		return 1;
	}
	printf("residents=%zu queue_entries=%zu fees=%zu subscriptions=%zu\n",
	    res.residents, res.queue_entries, res.fees, res.subscriptions);
	return 0;
}

struct progress {
	int64_t		 start_ms;
	int64_t		 last_ms;
	int		 shown;
};

/* A progress line on the terminal: rows, rows/s, ETA and a bar. */
static void
progress_cb(void *arg, size_t rows, off_t done, off_t total)
{
	struct progress	*p = arg;
	int64_t		 now = clock_mono_ms(), el;
	double		 rate, frac;
	char		 bar[31];
	int		 i, fill;

	if (now - p->last_ms < 100 && done < total)
		return;
	p->last_ms = now;
	el = now - p->start_ms;
	rate = el > 0 ? (double)rows * 1000.0 / (double)el : 0;
	frac = total > 0 ? (double)done / (double)total : 0;
	fill = (int)(frac * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %zu %s  %.0f %s  %s %.0f s   ", bar, rows,
	    _("rows"), rate, _("rows/s"), _("ETA"),
	    frac > 0 ? (double)el / 1000.0 * (1 - frac) / frac : 0.0);
	p->shown = 1;
}

int
ctl_import(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "new-institutions", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *use = "import";
	struct import_opts	 io;
	struct import_result	 res;
	struct progress		 prog;
	enum import_kind	 kind;
	struct store		*s;
	int			 ch, rc;

	memset(&io, 0, sizeof(io));
	while ((ch = getopt_long(argc, argv, "n", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			io.dry_run = 1;
			break;
		case 'N':
			io.new_institutions = 1;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc - optind != 2 ||
	    import_kind_parse(argv[optind], &kind) == -1 ||
	    (io.new_institutions && kind != IMPORT_QUEUE))
		return ctl_usage(use);
	/* Residents, queue and fees are reference data: an admin's. */
	if ((s = ctl_store(ctl)) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "import") != 0)
		return 1;
	memset(&prog, 0, sizeof(prog));
	if (isatty(STDERR_FILENO)) {
		prog.start_ms = clock_mono_ms();
		io.progress = progress_cb;
		io.arg = &prog;
	}
	rc = import_csv(s, kind, argv[optind + 1], &io, &res);
	if (prog.shown)
		fputc('\n', stderr);
	if (rc == -1) {
		fprintf(stderr, ngettext("%s: %zu error; nothing was "
		    "imported\n", "%s: %zu errors; nothing was imported\n",
		    res.errors), argv[optind + 1], res.errors);
		return 1;
	}
	printf("rows=%zu inserted=%zu updated=%zu unchanged=%zu\n", res.rows,
	    res.inserted, res.updated, res.unchanged);
	if (io.dry_run)
		printf("%s\n", _("dry run: the file is valid; nothing was "
		    "written"));
	return 0;
}
