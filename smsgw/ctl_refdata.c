/*
 * ctl_refdata: munictl institution and feekind - the reference data that
 * queue and fee imports are checked against. Imports never make these
 * behind the user's back (but `import queue --new-institutions` does on
 * purpose); staff add them here.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "i18n.h"
#include "refdata.h"
#include "staff.h"
#include "store.h"

/* Names of usage lines; the lines are in munictl.c's command table. */
static const char *use_inst = "institution";
static const char *use_kind = "feekind";

static int
list(struct ctl *ctl, enum refdata_kind kind, const char *cmd)
{
	const struct refdata_item	*it;
	struct refdata			*r;
	struct store			*s;
	char				 err[REFDATA_ERR_SIZE];
	size_t				 i;

	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if ((r = refdata_load(s, kind, err, sizeof(err))) == NULL) {
		fprintf(stderr, "munictl %s list: %s\n", cmd, err);
		return 1;
	}
	for (i = 0; (it = refdata_at(r, i)) != NULL; i++)
		if (kind == REFDATA_INSTITUTION)
			printf("%s%s%s\n", it->name, it->territory[0] ?
			    "\t" : "", it->territory);
		else
			printf("%-12s %s / %s\n", it->name, it->name_lv,
			    it->name_en);
	printf("%s=%zu\n", kind == REFDATA_INSTITUTION ? "institutions" :
	    "fee_kinds", refdata_count(r));
	refdata_free(r);
	return 0;
}

static int
institution_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "territory", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*s;
	const char	*territory = "", *who;
	char		 err[REFDATA_ERR_SIZE];
	int64_t		 id;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 't')
			return ctl_usage(use_inst);
		territory = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage(use_inst);
	if ((who = ctl_actor(ctl, NULL, "institution add")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "institution add") != 0 ||
	    (s = ctl_store(ctl)) == NULL)
		return 1;
	if (refdata_add_institution(s, NULL, argv[optind], territory, &id,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "munictl institution add: %s\n", err);
		return 1;
	}
	if (store_audit(s, who, "institution add", argv[optind]) == -1) {
		fprintf(stderr, "munictl institution add: %s\n",
		    store_errmsg(s));
		return 1;
	}
	printf("institution=%lld\n", (long long)id);
	return 0;
}

static int
feekind_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name-lv", required_argument, NULL, 'l' },
		{ "name-en", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*s;
	const char	*lv = "", *en = "", *who;
	char		 err[REFDATA_ERR_SIZE];
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			lv = optarg;
			break;
		case 'e':
			en = optarg;
			break;
		default:
			return ctl_usage(use_kind);
		}
	}
	if (argc - optind != 1)
		return ctl_usage(use_kind);
	if ((who = ctl_actor(ctl, NULL, "feekind add")) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, "feekind add") != 0 ||
	    (s = ctl_store(ctl)) == NULL)
		return 1;
	if (refdata_add_fee_kind(s, argv[optind], lv, en, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "munictl feekind add: %s\n", err);
		return 1;
	}
	if (store_audit(s, who, "feekind add", argv[optind]) == -1) {
		fprintf(stderr, "munictl feekind add: %s\n", store_errmsg(s));
		return 1;
	}
	printf("fee_kind=%s\n", argv[optind]);
	return 0;
}

int
ctl_refdata(struct ctl *ctl, int argc, char **argv)
{
	int	 inst = strcmp(argv[0], "institution") == 0;

	if (argc >= 2 && strcmp(argv[1], "list") == 0 && argc == 2)
		return list(ctl, inst ? REFDATA_INSTITUTION : REFDATA_FEE_KIND,
		    argv[0]);
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return inst ? institution_add(ctl, argc - 1, argv + 1) :
		    feekind_add(ctl, argc - 1, argv + 1);
	return ctl_usage(inst ? use_inst : use_kind);
}
