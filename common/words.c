/*
 * words: the words residents type that more than one module reads; see
 * words.h. Folding is services_fold's, the same the parser uses for every
 * command word.
 */
#include <string.h>

#include "services.h"
#include "util.h"
#include "words.h"

/* What STOP may be followed by and still mean every topic. */
static const char *stop_all_words[] = {
	"all", "visi", "visu", "visus", "visas", "viss", "visiem",
};

int
words_stop_all(const char *arg, size_t len)
{
	char	 rest[64];
	size_t	 i;

	if (services_fold(arg, len, rest, sizeof(rest)) == 0 &&
	    rest[0] == '\0')
		return 1;
	/* Cut short (too long to fold), rest matches none of them. */
	for (i = 0; i < nitems(stop_all_words); i++)
		if (strcmp(rest, stop_all_words[i]) == 0)
			return 1;
	return 0;
}
