/*
 * muni-smsgw: the SMPP gateway daemon. Until the gateway issue lands it
 * checks its configuration and database (-n) and refuses to pretend to run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "log.h"
#include "store.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: muni-smsgw [-dhn] [-c file]\n"
	    "  -c file  configuration (default $MUNI_CONF, else %s)\n"
	    "  -d       stay in the foreground, log to stderr\n"
	    "  -n       check the configuration and the database, then exit\n"
	    "  -h       this help\n", CONFIG_DEFAULT_PATH);
}

int
main(int argc, char **argv)
{
	struct config	*cfg;
	struct store	*s;
	const char	*conf = NULL, *errstr;
	char		*errors;
	int		 ch, check = 0, foreground = 0;

	while ((ch = getopt(argc, argv, "c:dhn")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			check = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("muni-smsgw", !foreground && !check);
	i18n_init();
	if ((cfg = config_load(conf, &errors)) == NULL) {
		fputs(errors, stderr);
		free(errors);
		return 1;
	}
	if ((s = store_open(config_str(cfg, CFG_DATABASE_PATH), 0,
	    &errstr)) == NULL) {
		fprintf(stderr, "muni-smsgw: %s\n", errstr);
		config_free(cfg);
		return 1;
	}
	store_close(s);
	if (check) {
		printf("configuration OK\n");
		config_free(cfg);
		return 0;
	}
	config_free(cfg);
	fprintf(stderr, "muni-smsgw: the SMPP gateway is not built yet "
	    "(issue 4); only -n works in this version\n");
	return 1;
}
