/*
 * pager: paging for every kiosk list, so that a tenth group or a ninth
 * topic is one key away instead of off the screen. The arithmetic is
 * here, apart from the screens, and is tested without a terminal
 * (tests/unit/test_pager.c); drawing goes through ui.c.
 */
#include <stdio.h>

#include "i18n.h"
#include "pager.h"
#include "ui.h"

void
pager_init(struct pager *p, size_t n, size_t per)
{
	if (per == 0 || per > PAGER_PER_MAX)
		per = PAGER_PER_MAX;
	p->n = n;
	p->per = per;
	p->page = 0;
}

size_t
pager_pages(const struct pager *p)
{
	if (p->per == 0 || p->n == 0)
		return 1;
	return (p->n + p->per - 1) / p->per;
}

void
pager_resize(struct pager *p, size_t n)
{
	p->n = n;
	if (p->page >= pager_pages(p))
		p->page = pager_pages(p) - 1;
}

size_t
pager_first(const struct pager *p)
{
	return p->page * p->per;
}

size_t
pager_count(const struct pager *p)
{
	size_t	 first = pager_first(p);

	if (first >= p->n)
		return 0;
	return p->n - first < p->per ? p->n - first : p->per;
}

enum pager_act
pager_key(struct pager *p, int key, int choose, size_t *index)
{
	size_t	 d;

	if (key == PAGER_NEXT || key == UI_K_DOWN) {
		if (p->page + 1 >= pager_pages(p))
			return PAGER_STAY;
		p->page++;
		return PAGER_MOVED;
	}
	if (key == PAGER_PREV || key == UI_K_UP) {
		if (p->page == 0)
			return PAGER_STAY;
		p->page--;
		return PAGER_MOVED;
	}
	if (!choose || key < '1' || key >= '1' + PAGER_PER_MAX)
		return PAGER_NONE;
	/* A number not shown on this page chooses nothing. */
	d = (size_t)(key - '1');
	if (d >= pager_count(p))
		return PAGER_STAY;
	*index = pager_first(p) + d;
	return PAGER_CHOSEN;
}

void
pager_draw(const struct pager *p)
{
	char	 line[64];
	int	 w;

	if (pager_pages(p) <= 1)
		return;
	(void)snprintf(line, sizeof(line), _("Page %zu of %zu"),
	    p->page + 1, pager_pages(p));
	w = ui_width(line);
	ui_text(ui_rows() - 2, ui_cols() - w - 2, w, UI_TITLE, line);
}

const char *const *
pager_legend(const struct pager *p, const char *const *base)
{
	static const char	*l[2 * 6 + 1];
	size_t			 i = 0;

	while (base != NULL && base[i] != NULL && base[i + 1] != NULL &&
	    i < 2 * 4) {
		l[i] = base[i];
		l[i + 1] = base[i + 1];
		i += 2;
	}
	if (p->page + 1 < pager_pages(p)) {
		l[i++] = "+";
		l[i++] = _("More");
	}
	if (p->page > 0) {
		l[i++] = "-";
		l[i++] = _("Previous");
	}
	l[i] = NULL;
	return l;
}
