/*
 * fuzz_epc: the EPC payload parser on arbitrary bytes, and the builder on
 * whatever the parser accepts: a payload we build must parse back to the
 * fields it was built from, and its short form must stay within its limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "epc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_round_trip(const struct epc_fields *f, size_t max_len)
{
	struct epc_transfer	 t;
	struct epc_fields	 g;
	char			 buf[EPC_PAYLOAD_SIZE];
	const char		*errstr;
	size_t			 len;

	memset(&t, 0, sizeof(t));
	t.bic = f->bic;
	t.name = f->name;
	t.iban = f->iban;
	t.cents = f->cents;
	t.purpose = f->purpose;
	t.reference = f->reference;
	t.text = f->text;
	t.info = f->info;
	/* The builder is stricter (UTF-8, RF, an amount): it may refuse. */
	if (epc_build(&t, buf, sizeof(buf), &len, &errstr) == 0) {
		if (len > EPC_PAYLOAD_MAX || strlen(buf) != len)
			abort();
		if (epc_parse(buf, len, &g, &errstr) == -1)
			abort();
		if (g.version != 2 || g.charset != 1 || g.cents != f->cents ||
		    strcmp(g.name, f->name) != 0 ||
		    strcmp(g.iban, f->iban) != 0 ||
		    strcmp(g.bic, f->bic) != 0 ||
		    strcmp(g.purpose, f->purpose) != 0 ||
		    strcmp(g.text, f->text) != 0 ||
		    strcmp(g.info, f->info) != 0)
			abort();
	}
	if (epc_build_short(&t, NULL, max_len, buf, sizeof(buf), &len,
	    &errstr) == 0) {
		if (len > max_len || strlen(buf) != len)
			abort();
		if (epc_parse(buf, len, &g, &errstr) == -1)
			abort();
		if (g.cents != f->cents || strcmp(g.iban, f->iban) != 0 ||
		    g.bic[0] != '\0' || g.info[0] != '\0')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epc_fields	 f;
	const char		*errstr = NULL;

	if (epc_parse(data, size, &f, &errstr) == -1) {
		if (errstr == NULL)
			abort();
		return 0;
	}
	check_round_trip(&f, 40 + size % 300);
	return 0;
}
