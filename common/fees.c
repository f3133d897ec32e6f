/*
 * fees: references and names of fees.
 */
#include <stdio.h>
#include <string.h>

#include "fees.h"
#include "i18n.h"
#include "log.h"

void
fees_reference_for_id(int64_t id, char out[IDENT_RF_SIZE])
{
	char		 body[24];
	const char	*errstr;

	(void)snprintf(body, sizeof(body), "%010lld", (long long)id);
	if (ident_rf_make(body, out, &errstr) == -1)
		fatalx("fees_reference_for_id: %s", errstr);
}

const char *
fees_kind_name(const char *kind)
{
	if (strcmp(kind, "nin") == 0)
		return _("Real estate tax");
	if (strcmp(kind, "dog") == 0)
		return _("Dog fee");
	return kind;
}
