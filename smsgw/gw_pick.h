/*
 * pick: which of several binds takes the next submits. Kept apart from
 * the dispatcher so that the rule can be tested without sockets.
 */
#ifndef MUNI_GW_PICK_H
#define MUNI_GW_PICK_H

/* What the dispatcher knows of one bind at this moment. */
struct pick_cand {
	int	 up;		/* bound and able to send */
	int	 room;		/* submits it may send now (window, tokens) */
	int	 outstanding;	/* submit_sm awaiting their response */
};

/*
 * The bind to send on: among those up with room, the one with the fewest
 * outstanding PDUs; ties go to the first at or after start (taken modulo
 * n), so that idle binds share the work in turn. -1 when none can send.
 */
int	 pick_bind(const struct pick_cand *, int n, unsigned start);

#endif
