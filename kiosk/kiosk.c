/*
 * muni-kiosk: the ncursesw kiosk (placeholder main until the kiosk issue).
 */
#include <stdio.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: muni-kiosk [-h] [-c file]\n");
}

int
main(int argc, char **argv)
{
	int	 ch;

	while ((ch = getopt(argc, argv, "c:h")) != -1) {
		if (ch == 'h') {
			usage();
			return 0;
		}
	}
	usage();
	return 1;
}
