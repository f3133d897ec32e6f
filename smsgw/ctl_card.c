/*
 * ctl_card: munictl merchant add | list | set | disable | import and
 * munictl offer add | list | set | end | import — the partner merchants
 * of the resident card, the phones that may check codes, and the
 * discounts each gives a resident group (issue 21). Reference data:
 * changes need the admin right and are audited.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "clock.h"
#include "ctl.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

static const char use_madd[] = "merchant add";
static const char use_mlist[] = "merchant list";
static const char use_mset[] = "merchant set";
static const char use_mdisable[] = "merchant disable";
static const char use_mimport[] = "merchant import";
static const char use_oimport[] = "offer import";
static const char use_oadd[] = "offer add";
static const char use_olist[] = "offer list";
static const char use_oset[] = "offer set";
static const char use_oend[] = "offer end";

/* The actor, with the admin right checked; NULL after saying why. */
static const char *
admin(struct ctl *ctl, const char *as, const char *cmd, struct store **s)
{
	const char	*who;

	if ((who = ctl_actor(ctl, as, cmd)) == NULL ||
	    ctl_may(ctl, STAFF_R_ADMIN, cmd) != 0 ||
	    (*s = ctl_store(ctl)) == NULL)
		return NULL;
	return who;
}

/* The options of merchant add and set; 0, or 2 after the usage. */
static int
merchant_opts(int argc, char **argv, const char *use,
    struct card_merchant_spec *sp, const char **as)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "phone", required_argument, NULL, 'p' },
		{ "territory", required_argument, NULL, 't' },
		{ "address", required_argument, NULL, 'd' },
		{ "enable", no_argument, NULL, 'e' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(sp, 0, sizeof(*sp));
	sp->active = -1;
	*as = NULL;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (use != use_mset)
				return ctl_usage(use);
			sp->name = optarg;
			break;
		case 'p':
			sp->phones = optarg;
			break;
		case 't':
			sp->territory = optarg;
			break;
		case 'd':
			sp->address = optarg;
			break;
		case 'e':
			if (use != use_mset)
				return ctl_usage(use);
			sp->active = 1;
			break;
		case 'a':
			*as = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	return 0;
}

static int
merchant_add(struct ctl *ctl, int argc, char **argv)
{
	struct card_merchant_spec sp;
	struct store	*s;
	const char	*as, *who;
	char		 err[CARD_ERR_SIZE];
	int		 rc;

	if ((rc = merchant_opts(argc, argv, use_madd, &sp, &as)) != 0)
		return rc;
	if (sp.phones == NULL)
		return ctl_usage(use_madd);
	sp.name = argv[optind];
	if ((who = admin(ctl, as, "merchant add", &s)) == NULL)
		return 1;
	if (card_merchant_add(s, who, &sp, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl merchant add: %s\n", err);
		return 1;
	}
	printf("merchant=%s\n", sp.name);
	return 0;
}

static int
merchant_set(struct ctl *ctl, int argc, char **argv, int disable)
{
	struct card_merchant_spec sp;
	struct store	*s;
	const char	*as, *who, *cmd = disable ? "merchant disable" :
			    "merchant set";
	char		 err[CARD_ERR_SIZE];
	int		 rc;

	if ((rc = merchant_opts(argc, argv, disable ? use_mdisable : use_mset,
	    &sp, &as)) != 0)
		return rc;
	if (disable) {
		if (sp.phones != NULL || sp.territory != NULL ||
		    sp.address != NULL)
			return ctl_usage(use_mdisable);
		sp.active = 0;
	}
	if ((who = admin(ctl, as, cmd, &s)) == NULL)
		return 1;
	if (card_merchant_set(s, who, argv[optind], &sp, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl %s: %s\n", cmd, err);
		return 1;
	}
	printf("merchant=%s\n", sp.name != NULL ? sp.name : argv[optind]);
	return 0;
}

static int
merchant_line(void *arg, const struct card_merchant *m)
{
	size_t	*n = arg;

	/* Figures as words first, the names (with blanks) after a tab. */
	printf("merchant=%lld active=%d offers=%lld phones=%s\t%s / %s / %s\n",
	    (long long)m->id, m->active, (long long)m->offers,
	    m->phones[0] != '\0' ? m->phones : "-", m->name,
	    m->territory[0] != '\0' ? m->territory : "-",
	    m->address[0] != '\0' ? m->address : "-");
	(*n)++;
	return 0;
}

static int
merchant_list(struct ctl *ctl, int argc, char **argv)
{
	struct store	*s;
	size_t		 n = 0;

	(void)argv;
	if (argc != 1)
		return ctl_usage(use_mlist);
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	if (card_merchant_list(s, merchant_line, &n) == -1) {
		fprintf(stderr, "munictl merchant list: %s: %s\n",
		    _("database error"), store_errmsg(s));
		return 1;
	}
	printf("merchants=%zu\n", n);
	return 0;
}

/* merchant import and offer import: all or nothing. */
static int
import(struct ctl *ctl, int argc, char **argv, int offers)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct card_import_result res;
	struct store	*s;
	const char	*as = NULL, *who, *use = offers ? use_oimport :
			    use_mimport, *cmd = offers ? "offer import" :
			    "merchant import";
	char		 err[CARD_ERR_SIZE];
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a')
			return ctl_usage(use);
		as = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage(use);
	if ((who = admin(ctl, as, cmd, &s)) == NULL)
		return 1;
	if ((offers ? card_import_offers : card_import_merchants)(s, who,
	    argv[optind], stderr, &res, err, sizeof(err)) == -1) {
		fprintf(stderr, "munictl %s: %s\n", cmd, err);
		return 1;
	}
	printf("%s=%zu\n", offers ? "offers" : "merchants", res.added);
	return 0;
}

int
ctl_merchant(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_lines(stderr, use_madd, use_mlist, use_mset,
		    use_mdisable, use_mimport, (const char *)NULL);
	if (strcmp(argv[1], "import") == 0)
		return import(ctl, argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "add") == 0)
		return merchant_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return merchant_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return merchant_set(ctl, argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "disable") == 0)
		return merchant_set(ctl, argc - 1, argv + 1, 1);
	return ctl_unknown("merchant", argv[1]);
}

/*
 * The options of offer add, set and list; nargs words must remain. 0, or
 * 2 after the usage.
 */
static int
offer_opts(int argc, char **argv, const char *use, int nargs,
    struct card_offer_spec *sp, const char **as)
{
	static const struct option opts[] = {
		{ "merchant", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },
		{ "text", required_argument, NULL, 't' },
		{ "text-en", required_argument, NULL, 'e' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'u' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(sp, 0, sizeof(*sp));
	*as = NULL;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (use == use_oset)
				return ctl_usage(use);
			sp->merchant = optarg;
			break;
		case 'g':
			sp->group = optarg;
			break;
		case 't':
			sp->text_lv = optarg;
			break;
		case 'e':
			sp->text_en = optarg;
			break;
		case 'f':
			sp->from = optarg;
			break;
		case 'u':
			sp->to = optarg;
			break;
		case 'a':
			*as = optarg;
			break;
		default:
			return ctl_usage(use);
		}
	}
	if (argc - optind != nargs)
		return ctl_usage(use);
	if (use == use_olist && (sp->group != NULL || sp->text_lv != NULL ||
	    sp->text_en != NULL || sp->from != NULL || sp->to != NULL ||
	    *as != NULL))
		return ctl_usage(use);
	return 0;
}

/* An offer's number as given: 0, or 2 after saying what is wrong. */
static int
offer_id(const char *cmd, const char *arg, int64_t *id)
{
	const char	*errstr;
	long long	 v;

	if (util_strtonum(arg, 1, INT64_MAX, &v, &errstr) == -1) {
		fprintf(stderr, "munictl %s: '%s': %s\n", cmd, arg,
		    _("an offer is named by its number (munictl offer list)"));
		return 2;
	}
	*id = (int64_t)v;
	return 0;
}

static int
offer_add(struct ctl *ctl, int argc, char **argv)
{
	struct card_offer_spec sp;
	struct store	*s;
	const char	*as, *who;
	char		 err[CARD_ERR_SIZE];
	int64_t		 id;
	int		 rc;

	if ((rc = offer_opts(argc, argv, use_oadd, 0, &sp, &as)) != 0)
		return rc;
	if (sp.merchant == NULL || sp.group == NULL || sp.text_lv == NULL)
		return ctl_usage(use_oadd);
	if ((who = admin(ctl, as, "offer add", &s)) == NULL)
		return 1;
	if ((id = card_offer_add(s, who, &sp, err, sizeof(err))) == -1) {
		fprintf(stderr, "munictl offer add: %s\n", err);
		return 1;
	}
	printf("offer=%lld\n", (long long)id);
	return 0;
}

static int
offer_set(struct ctl *ctl, int argc, char **argv, int end)
{
	struct card_offer_spec sp;
	struct store	*s;
	const char	*as, *who, *cmd = end ? "offer end" : "offer set";
	char		 err[CARD_ERR_SIZE];
	int64_t		 id;
	int		 rc;

	if ((rc = offer_opts(argc, argv, end ? use_oend : use_oset, 1, &sp,
	    &as)) != 0)
		return rc;
	if (end && (sp.group != NULL || sp.text_lv != NULL ||
	    sp.text_en != NULL || sp.from != NULL || sp.to != NULL ||
	    sp.merchant != NULL))
		return ctl_usage(use_oend);
	if ((rc = offer_id(cmd, argv[optind], &id)) != 0)
		return rc;
	if ((who = admin(ctl, as, cmd, &s)) == NULL)
		return 1;
	if ((end ? card_offer_end(s, who, id, err, sizeof(err)) :
	    card_offer_set(s, who, id, &sp, err, sizeof(err))) == -1) {
		fprintf(stderr, "munictl %s: %s\n", cmd, err);
		return 1;
	}
	printf("offer=%lld\n", (long long)id);
	return 0;
}

struct olist {
	size_t		 n;
	char		 today[CARD_DATE_SIZE];
};

static int
offer_line(void *arg, const struct card_offer *o)
{
	struct olist	*ol = arg;
	const char	*state;

	if (o->ended_at != 0)
		state = "ended";
	else if (strcmp(ol->today, o->from) < 0)
		state = "future";
	else if (strcmp(ol->today, o->to) > 0)
		state = "past";
	else
		state = "live";
	printf("offer=%lld state=%s from=%s to=%s\t%s / %s / %s%s%s\n",
	    (long long)o->id, state, o->from, strcmp(o->to, "9999-12-31") ==
	    0 ? "-" : o->to, o->merchant, o->group[0] != '\0' ? o->group :
	    _("(group removed)"), o->text_lv, o->text_en[0] != '\0' ? " / " :
	    "", o->text_en);
	ol->n++;
	return 0;
}

static int
offer_list(struct ctl *ctl, int argc, char **argv)
{
	struct card_offer_spec sp;
	struct olist	 ol;
	struct store	*s;
	const char	*as;
	char		 err[CARD_ERR_SIZE];
	int		 rc;

	if ((rc = offer_opts(argc, argv, use_olist, 0, &sp, &as)) != 0)
		return rc;
	if ((s = ctl_store(ctl)) == NULL)
		return 1;
	memset(&ol, 0, sizeof(ol));
	clock_date(clock_now(), ol.today, sizeof(ol.today));
	if (card_offer_list(s, sp.merchant, offer_line, &ol, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "munictl offer list: %s\n", err);
		return 1;
	}
	printf("offers=%zu\n", ol.n);
	return 0;
}

int
ctl_offer(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_lines(stderr, use_oadd, use_olist, use_oset,
		    use_oend, use_oimport, (const char *)NULL);
	if (strcmp(argv[1], "import") == 0)
		return import(ctl, argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "add") == 0)
		return offer_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return offer_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return offer_set(ctl, argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "end") == 0)
		return offer_set(ctl, argc - 1, argv + 1, 1);
	return ctl_unknown("offer", argv[1]);
}
