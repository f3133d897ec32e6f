/*
 * i18n: gettext catalogues with an explicit language switch. Latvian is the
 * default ($MUNI_LANG picks another for the command-line tools); the
 * language changes per kiosk session and per SMS recipient at
 * run time, so it cannot hang on the process locale (GNU gettext ignores
 * LANGUAGE under the C locale, and a fresh Debian has no lv_LV.UTF-8).
 */
#ifndef MUNI_I18N_H
#define MUNI_I18N_H

#include <libintl.h>

#define _(s)	gettext(s)
#define N_(s)	(s)

/*
 * Set the C.UTF-8 locale (UTF-8 text, dot decimals), bind the "muni"
 * catalogues and select Latvian. Catalogues are looked up in
 * $MUNI_LOCALEDIR, the installed locale directory, then beside the binary.
 */
void		 i18n_init(void);
/* Switch the language of every later _() ("lv", "en", ...); 0 or -1. */
int		 i18n_set_lang(const char *lang);
const char	*i18n_lang(void);

#endif
