/*
 * i18n: select the catalogue language by LANGUAGE under a C.UTF-8 locale.
 * glibc honours LANGUAGE for any locale but plain "C"/"POSIX", and caches
 * translations until _nl_msg_cat_cntr changes, which the gettext manual
 * documents as the way to switch languages inside a running program.
 */
#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "util.h"

#ifndef MUNI_LOCALEDIR
#define MUNI_LOCALEDIR "/usr/local/share/locale"
#endif

extern int	 _nl_msg_cat_cntr;

static char	 i18n_cur[8] = "lv";

static int
has_catalogue(const char *dir)
{
	char	 path[PATH_MAX];

	if (util_snprintf(path, sizeof(path), "%s/lv/LC_MESSAGES/muni.mo",
	    dir) == -1)
		return 0;
	return access(path, R_OK) == 0;
}

static void
i18n_bind(void)
{
	char		 exe[PATH_MAX], dir[PATH_MAX], *slash;
	const char	*env;
	ssize_t		 n;

	env = getenv("MUNI_LOCALEDIR");
	if (env != NULL && *env != '\0' && has_catalogue(env)) {
		(void)bindtextdomain("muni", env);
		return;
	}
	if (has_catalogue(MUNI_LOCALEDIR)) {
		(void)bindtextdomain("muni", MUNI_LOCALEDIR);
		return;
	}
	/*
	 * Beside the binary: installed under another prefix than it was
	 * built for (PREFIX/bin -> PREFIX/share/locale), or run from the
	 * build tree (build/<kind>/bin -> build/<kind>/locale).
	 */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		if ((util_snprintf(dir, sizeof(dir), "%s/../share/locale",
		    exe) == 0 && has_catalogue(dir)) ||
		    (util_snprintf(dir, sizeof(dir), "%s/../locale", exe) == 0 &&
		    has_catalogue(dir))) {
			(void)bindtextdomain("muni", dir);
			return;
		}
	}
	log_debug("no Latvian catalogue found: messages stay in English");
}

void
i18n_init(void)
{
	const char	*env;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL &&
	    setlocale(LC_ALL, "") == NULL)
		log_warnx("no C.UTF-8 locale: non-ASCII text may not display");
	i18n_bind();
	(void)bind_textdomain_codeset("muni", "UTF-8");
	(void)textdomain("muni");
	/* Latvian unless the operator asks otherwise (MUNI_LANG=en). */
	env = getenv("MUNI_LANG");
	if (env == NULL || i18n_set_lang(env) == -1)
		(void)i18n_set_lang("lv");
}

int
i18n_set_lang(const char *lang)
{
	size_t	 i, n = strlen(lang);

	if (n < 2 || n >= sizeof(i18n_cur))
		return -1;
	for (i = 0; i < n; i++)
		if (lang[i] < 'a' || lang[i] > 'z')
			return -1;
	if (strcmp(i18n_cur, lang) == 0 && getenv("LANGUAGE") != NULL &&
	    strcmp(getenv("LANGUAGE"), lang) == 0)
		return 0;
	if (setenv("LANGUAGE", lang, 1) == -1)
		return -1;
	++_nl_msg_cat_cntr;
	memcpy(i18n_cur, lang, n + 1);
	return 0;
}

const char *
i18n_lang(void)
{
	return i18n_cur;
}

/*
 * Latvia's forms (decimal comma, DD.MM.YYYY) for every language but
 * English: a Russian-speaking resident of Dobele reads them too.
 */
static int
lang_lv(void)
{
	return strcmp(i18n_cur, "en") != 0;
}

void
i18n_money(int64_t cents, char *buf, size_t size)
{
	const char		*sign = "";
	unsigned long long	 u;

	/* Negate in unsigned arithmetic: -INT64_MIN does not exist. */
	u = (unsigned long long)cents;
	if (cents < 0) {
		sign = "-";
		u = 0ULL - u;
	}
	if (lang_lv())
		(void)util_snprintf(buf, size, "%s%llu,%02llu €", sign,
		    u / 100, u % 100);
	else
		(void)util_snprintf(buf, size, "%s%llu.%02llu EUR", sign,
		    u / 100, u % 100);
}

/* n digits at s. */
static int
digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

void
i18n_date(const char *iso, char *buf, size_t size)
{
	/* A month ("2027-09", a queue's desired start) reads 09.2027. */
	if (lang_lv() && strlen(iso) == 7 && digits(iso, 4) &&
	    iso[4] == '-' && digits(iso + 5, 2)) {
		(void)util_snprintf(buf, size, "%.2s.%.4s", iso + 5, iso);
		return;
	}
	if (!lang_lv() || strlen(iso) < 10 || !digits(iso, 4) ||
	    iso[4] != '-' || !digits(iso + 5, 2) || iso[7] != '-' ||
	    !digits(iso + 8, 2) || (iso[10] != '\0' && iso[10] != ' ')) {
		(void)util_snprintf(buf, size, "%s", iso);
		return;
	}
	(void)util_snprintf(buf, size, "%.2s.%.2s.%.4s%s", iso + 8, iso + 5,
	    iso, iso + 10);
}

void
i18n_period(const char *p, char *buf, size_t size)
{
	size_t	 n = strlen(p);

	if (!lang_lv() || n != 7 || !digits(p, 4) || p[4] != '-') {
		(void)util_snprintf(buf, size, "%s", p);
		return;
	}
	if (p[5] == 'Q' && p[6] >= '1' && p[6] <= '4') {
		(void)util_snprintf(buf, size, "%.4s. g. %c. ceturksnis", p,
		    p[6]);
		return;
	}
	i18n_date(p, buf, size);
}
