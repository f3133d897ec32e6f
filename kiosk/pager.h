/*
 * pager: the one paging rule of every list the kiosk shows — groups,
 * topics, fees, children, approvals, the dashboard. A page numbers its
 * rows 1..n from 1 (at most PAGER_PER_MAX, so 9 keeps meaning help and 0
 * back); `+` or the down arrow turns to the next page, `-` or the up arrow
 * to the previous one; the legend names the page keys that work and the
 * screen says which page it is. A digit always means the row shown with
 * that number on the current page.
 */
#ifndef MUNI_KIOSK_PAGER_H
#define MUNI_KIOSK_PAGER_H

#include <stddef.h>

#define PAGER_PER_MAX	8	/* digits 1-8 */
#define PAGER_NEXT	'+'
#define PAGER_PREV	'-'

/* Embedded in the screen's state: a list of n rows, per of them a page. */
struct pager {
	size_t	 n;
	size_t	 per;
	size_t	 page;		/* from 0 */
};

enum pager_act {
	PAGER_NONE,	/* not a key of the list: the screen's own, or none */
	PAGER_MOVED,	/* another page: redraw */
	PAGER_STAY,	/* a page key with no page that way: nothing to do */
	PAGER_CHOSEN,	/* *index is the row chosen, from 0 over the list */
};

/* n rows, per a page (1..PAGER_PER_MAX), at the first page. */
void		 pager_init(struct pager *, size_t n, size_t per);
/* The list now has n rows; the page stays unless it no longer exists. */
void		 pager_resize(struct pager *, size_t n);
size_t		 pager_pages(const struct pager *);
/* The list index of the current page's first row. */
size_t		 pager_first(const struct pager *);
/* Rows on the current page. */
size_t		 pager_count(const struct pager *);
/*
 * A key on a list screen. Digits choose only when choose is set (a list
 * to look at, such as the dashboard, only turns pages).
 */
enum pager_act	 pager_key(struct pager *, int key, int choose,
		    size_t *index);

/* "Page 2 of 5" on the row above the legend; nothing for one page. */
void		 pager_draw(const struct pager *);
/*
 * The legend of a list screen: base (pairs of key and meaning, NULL
 * ended, at most 4 pairs) followed by the page keys that work here.
 * Valid until the next call.
 */
const char *const *pager_legend(const struct pager *,
		    const char *const *base);

#endif
