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
#include <stddef.h>
#include <stdint.h>

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

/*
 * How residents read figures, in the current language (i18n_set_lang).
 * Latvian (and any language but English) writes "37,50 €" and
 * "16.11.2026"; English keeps "37.50 EUR" and ISO dates. The space
 * before € is a plain one, not a no-break space: € is already a GSM 03.38
 * extension (two septets) and a no-break space would turn a whole SMS
 * into UCS-2. key=value output that scripts read never goes through
 * these.
 */
#define I18N_MONEY_SIZE		32	/* enough for any int64_t of cents */
#define I18N_DATE_SIZE		16
#define I18N_PERIOD_SIZE	48

/* cents as an amount with its currency. */
void		 i18n_money(int64_t cents, char *buf, size_t size);
/*
 * A calendar date "YYYY-MM-DD" (or the date part of "YYYY-MM-DD HH:MM:SS")
 * or a month "YYYY-MM" ("09.2027" in Latvian); anything else is copied
 * unchanged, so a
 * malformed value is shown as it is stored rather than hidden.
 */
void		 i18n_date(const char *iso, char *buf, size_t size);
/*
 * A fee period ("2026", "2026-Q4", "2026-03") as residents read it:
 * "2026. g. 4. ceturksnis" and "03.2026" in Latvian; English and
 * anything else unchanged (2026-Q4 reads well in English).
 */
void		 i18n_period(const char *period, char *buf, size_t size);

#endif
