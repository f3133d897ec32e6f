/*
 * muni-smsgw: the SMPP gateway daemon (placeholder main until the gateway
 * issue lands: it parses options and checks the configuration).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: muni-smsgw [-dhn] [-c file]\n");
}

int
main(int argc, char **argv)
{
	int	 ch;

	while ((ch = getopt(argc, argv, "c:dhn")) != -1) {
		switch (ch) {
		case 'h':
			usage();
			return 0;
		default:
			break;
		}
	}
	usage();
	return 1;
}
