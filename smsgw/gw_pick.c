/*
 * pick: least outstanding first. A bind that is slow to answer keeps more
 * submits outstanding and so gets fewer new ones; one that is down or out
 * of tokens gets none, which is the failover.
 */
#include "gw_pick.h"

int
pick_bind(const struct pick_cand *c, int n, unsigned start)
{
	int	 i, k, best = -1;

	if (n <= 0)
		return -1;
	for (k = 0; k < n; k++) {
		i = (int)((start + (unsigned)k) % (unsigned)n);
		if (!c[i].up || c[i].room <= 0)
			continue;
		if (best == -1 || c[i].outstanding < c[best].outstanding)
			best = i;
	}
	return best;
}
