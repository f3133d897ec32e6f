/*
 * fees: references for fees.
 */
#include <stdio.h>

#include "fees.h"
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
