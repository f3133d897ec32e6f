/*
 * ctl_staff: munictl staff pin — read a staff PIN from standard input and
 * print its crypt(3) yescrypt hash for [kiosk] staff_pin_hash. The PIN is
 * never an argument (it would show in ps and shell history).
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "i18n.h"
#include "otp.h"

#define STAFF_PIN_MIN	4
#define STAFF_PIN_MAX	32

static int
staff_pin(void)
{
	char		 pin[STAFF_PIN_MAX + 3], hash[OTP_HASH_SIZE];
	const char	*errstr;
	size_t		 n, i;
	int		 rc = 1;

	if (fgets(pin, sizeof(pin), stdin) == NULL) {
		fprintf(stderr, "munictl staff pin: %s\n",
		    _("no PIN on standard input"));
		return 1;
	}
	n = strcspn(pin, "\r\n");
	if (pin[n] == '\0' && n == sizeof(pin) - 1) {
		fprintf(stderr, "munictl staff pin: ");
		fprintf(stderr, _("the PIN is longer than %d digits"),
		    STAFF_PIN_MAX);
		fputc('\n', stderr);
		goto out;
	}
	pin[n] = '\0';
	/* The kiosk's keypad has digits: a PIN it cannot type locks staff out. */
	for (i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			break;
	if (i < n || n < STAFF_PIN_MIN || n > STAFF_PIN_MAX) {
		fprintf(stderr, "munictl staff pin: ");
		fprintf(stderr, _("a PIN is %d to %d digits"), STAFF_PIN_MIN,
		    STAFF_PIN_MAX);
		fputc('\n', stderr);
		goto out;
	}
	if (otp_hash(pin, OTP_HASH_COST_PIN, hash, sizeof(hash), &errstr) ==
	    -1) {
		fprintf(stderr, "munictl staff pin: %s\n", errstr);
		goto out;
	}
	printf("%s\n", hash);
	rc = fflush(stdout) == EOF;
out:
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

int
ctl_staff(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	if (argc != 2 || strcmp(argv[1], "pin") != 0)
		return ctl_usage("staff pin < PIN");
	return staff_pin();
}
