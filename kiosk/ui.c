/*
 * ui: ncursesw for a public terminal. Every screen is drawn whole (erase,
 * title, body, legend) so that nothing of an earlier screen — a name, an
 * amount — can survive on it.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "ui.h"
#include "util.h"

static int	 ui_colors;
static int	 ui_started;
/* What the screen says (ui_said); quiet while a part draws its own. */
static struct ui_said	 ui_said_now;
static int		 ui_said_quiet;
/* ui_legend_extra's key and meaning, or NULL. */
static const char	*ui_extra_key, *ui_extra_meaning;

/* Colour pair and monochrome attributes of each style. */
static const struct {
	short	 fg, bg;
	attr_t	 mono;
	attr_t	 extra;		/* added in colour too */
} ui_styles[UI_STYLE_COUNT] = {
	[UI_NORMAL] =	{ COLOR_WHITE, COLOR_BLACK, A_NORMAL, A_NORMAL },
	[UI_TITLE] =	{ COLOR_YELLOW, COLOR_BLACK, A_BOLD | A_UNDERLINE,
			  A_BOLD },
	[UI_LEGEND] =	{ COLOR_BLACK, COLOR_WHITE, A_REVERSE, A_NORMAL },
	[UI_ERROR] =	{ COLOR_WHITE, COLOR_RED, A_REVERSE | A_BOLD, A_BOLD },
	[UI_OK] =	{ COLOR_BLACK, COLOR_GREEN, A_BOLD, A_NORMAL },
	[UI_QR] =	{ COLOR_WHITE, COLOR_BLACK, A_NORMAL, A_NORMAL },
	[UI_FIELD] =	{ COLOR_BLACK, COLOR_CYAN, A_UNDERLINE | A_BOLD,
			  A_NORMAL },
	[UI_BAR_OK] =	{ COLOR_BLACK, COLOR_GREEN, A_REVERSE, A_NORMAL },
	[UI_BAR_FAIL] =	{ COLOR_WHITE, COLOR_RED, A_REVERSE | A_BOLD, A_NORMAL },
	[UI_BAR_WAIT] =	{ COLOR_BLACK, COLOR_YELLOW, A_DIM | A_REVERSE,
			  A_NORMAL },
};

static attr_t
style_attr(enum ui_style st)
{
	if (ui_colors)
		return COLOR_PAIR((short)st + 1) | ui_styles[st].extra;
	return ui_styles[st].mono;
}

int
ui_init(void)
{
	short	 i;

	if (initscr() == NULL)
		return -1;
	ui_started = 1;
	raw();			/* ^C, ^Z, ^\ arrive as keys, not signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	(void)curs_set(0);
	set_escdelay(50);
	timeout(UI_TICK_MS);
	ui_colors = has_colors();
	if (ui_colors && start_color() == ERR)
		ui_colors = 0;
	if (ui_colors) {
		for (i = 0; i < UI_STYLE_COUNT; i++)
			init_pair(i + 1, ui_styles[i].fg, ui_styles[i].bg);
		bkgdset(' ' | COLOR_PAIR(UI_NORMAL + 1));
	}
	ui_wipe();
	return 0;
}

void
ui_end(void)
{
	if (!ui_started)
		return;
	ui_wipe();
	endwin();
	ui_started = 0;
}

void
ui_wipe(void)
{
	erase();
	clearok(curscr, TRUE);	/* the next refresh repaints every cell */
	refresh();
}

int
ui_has_colors(void)
{
	return ui_colors;
}

int
ui_rows(void)
{
	return LINES;
}

int
ui_cols(void)
{
	return COLS;
}

int
ui_key(void)
{
	wint_t	 wc;
	int	 rc;

	rc = get_wch(&wc);
	if (rc == ERR)
		return UI_K_NONE;
	if (rc == KEY_CODE_YES) {
		switch (wc) {
		case KEY_ENTER:
			return UI_K_ENTER;
		case KEY_BACKSPACE:
		case KEY_DC:
			return UI_K_BACKSPACE;
		case KEY_LEFT:
			return UI_K_LEFT;
		case KEY_RIGHT:
			return UI_K_RIGHT;
		case KEY_UP:
			return UI_K_UP;
		case KEY_DOWN:
			return UI_K_DOWN;
		case KEY_RESIZE:
			return UI_K_RESIZE;
		default:
			return UI_K_IGNORED;
		}
	}
	if (wc == '\r' || wc == '\n')
		return UI_K_ENTER;
	if (wc == 127 || wc == 8)
		return UI_K_BACKSPACE;
	/* Every other control character, ^C ^Z ^\ ^D ^Q ^S ESC among them. */
	if (wc < 32 || (wc >= 127 && wc < 160))
		return UI_K_IGNORED;
	return (int)wc;
}

/* UTF-8 to wide characters; returns how many (at most n - 1). */
static size_t
widen(const char *s, wchar_t *w, size_t n)
{
	mbstate_t	 ps;
	size_t		 i = 0, k, len = strlen(s);

	memset(&ps, 0, sizeof(ps));
	while (len > 0 && i + 1 < n) {
		k = mbrtowc(&w[i], s, len, &ps);
		if (k == (size_t)-1 || k == (size_t)-2) {
			w[i] = L'?';
			k = 1;
			memset(&ps, 0, sizeof(ps));
		} else if (k == 0)
			break;
		s += k;
		len -= k;
		i++;
	}
	w[i] = L'\0';
	return i;
}

static int
wc_width(wchar_t c)
{
	int	 w = wcwidth(c);

	return w < 0 ? 1 : w;
}

int
ui_width(const char *s)
{
	wchar_t	 w[512];
	size_t	 i, n = widen(s, w, sizeof(w) / sizeof(w[0]));
	int	 width = 0;

	for (i = 0; i < n; i++)
		width += wc_width(w[i]);
	return width;
}

static void
said_add(enum ui_said_kind kind, const char *key, const char *text)
{
	struct ui_said_item	*it;

	if (ui_said_quiet || ui_said_now.n >= UI_SAID_MAX)
		return;
	it = &ui_said_now.item[ui_said_now.n++];
	it->kind = kind;
	(void)util_strlcpy_utf8(it->key, key, sizeof(it->key));
	(void)util_strlcpy_utf8(it->text, text, sizeof(it->text));
}

/* The style's part in what is said: the QR's blocks are none. */
static void
said_text(enum ui_style st, const char *s)
{
	switch (st) {
	case UI_QR:
	case UI_BAR_OK:
	case UI_BAR_FAIL:
	case UI_BAR_WAIT:
		return;
	case UI_ERROR:
		said_add(UI_SAID_ERROR, "", s);
		return;
	case UI_FIELD:
		said_add(UI_SAID_FIELD, "", s);
		return;
	default:
		said_add(UI_SAID_TEXT, "", s);
		return;
	}
}

const struct ui_said *
ui_said(void)
{
	return &ui_said_now;
}

void
ui_text(int y, int x, int width, enum ui_style st, const char *s)
{
	wchar_t	 w[1024];
	size_t	 i, n = widen(s, w, sizeof(w) / sizeof(w[0]));
	int	 used = 0;

	if (y < 0 || y >= LINES || x >= COLS)
		return;
	said_text(st, s);
	if (width <= 0 || x + width > COLS)
		width = COLS - x;
	for (i = 0; i < n; i++) {
		if (used + wc_width(w[i]) > width)
			break;
		used += wc_width(w[i]);
	}
	attrset(style_attr(st));
	(void)mvaddnwstr(y, x, w, (int)i);
	attrset(style_attr(UI_NORMAL));
}

int
ui_wrap(int y, int x, int width, enum ui_style st, const char *s)
{
	wchar_t	 w[2048];
	size_t	 n = widen(s, w, sizeof(w) / sizeof(w[0]));
	size_t	 start = 0, i, brk;
	int	 used;

	said_text(st, s);
	if (width <= 0 || x + width > COLS)
		width = COLS - x;
	attrset(style_attr(st));
	while (start < n && y < LINES - 1) {
		used = 0;
		brk = 0;
		for (i = start; i < n && w[i] != L'\n'; i++) {
			if (used + wc_width(w[i]) > width)
				break;
			used += wc_width(w[i]);
			if (w[i] == L' ')
				brk = i;
		}
		if (i < n && w[i] != L'\n' && brk > start)
			i = brk;	/* break at the last space */
		(void)mvaddnwstr(y, x, &w[start], (int)(i - start));
		y++;
		start = i;
		if (start < n && (w[start] == L' ' || w[start] == L'\n'))
			start++;
	}
	attrset(style_attr(UI_NORMAL));
	return y;
}

void
ui_bar(int y, int x, int n, enum ui_style st)
{
	int	 i;

	if (y < 0 || y >= LINES)
		return;
	attrset(style_attr(st));
	for (i = 0; i < n && x + i < COLS; i++)
		mvaddch(y, x + i, ui_colors ? ' ' : (st == UI_BAR_OK ? '#' :
		    st == UI_BAR_FAIL ? 'X' : '-'));
	attrset(style_attr(UI_NORMAL));
}

int
ui_big_enough(void)
{
	char	 line[160];

	if (COLS >= UI_MIN_COLS && LINES >= UI_MIN_ROWS)
		return 1;
	erase();
	(void)snprintf(line, sizeof(line), _("Please make the window larger: "
	    "at least %dx%d."), UI_MIN_COLS, UI_MIN_ROWS);
	ui_said_now.n = 0;
	ui_wrap(LINES / 2 > 0 ? LINES / 2 - 1 : 0, 0, COLS, UI_TITLE, line);
	refresh();
	return 0;
}

void
ui_begin(const char *title)
{
	erase();
	if (ui_colors)
		bkgdset(' ' | COLOR_PAIR(UI_NORMAL + 1));
	ui_said_now.n = 0;
	said_add(UI_SAID_TITLE, "", title);
	ui_said_quiet++;
	ui_text(0, 2, 0, UI_TITLE, title);
	ui_said_quiet--;
}

void
ui_legend_extra(const char *key, const char *meaning)
{
	ui_extra_key = key;
	ui_extra_meaning = meaning;
}

void
ui_finish(const char *const *legend)
{
	int	 x = 1, y = LINES - 1, i;

	attrset(style_attr(UI_LEGEND));
	(void)mvhline(y, 0, ' ', COLS);
	for (i = 0; legend != NULL && legend[i] != NULL &&
	    legend[i + 1] != NULL; i += 2) {
		said_add(UI_SAID_KEY, legend[i], legend[i + 1]);
		ui_said_quiet++;
		ui_text(y, x, 0, UI_LEGEND, legend[i]);
		x += ui_width(legend[i]) + 1;
		ui_text(y, x, 0, UI_LEGEND, legend[i + 1]);
		ui_said_quiet--;
		x += ui_width(legend[i + 1]) + 3;
	}
	if (ui_extra_key != NULL) {
		int	 w = ui_width(ui_extra_key) + 1 +
		    ui_width(ui_extra_meaning);

		/* At the right end, where it fits beside the screen's keys. */
		if (COLS - 1 - w >= x) {
			ui_said_quiet++;
			ui_text(y, COLS - 1 - w, 0, UI_LEGEND, ui_extra_key);
			ui_text(y, COLS - w + ui_width(ui_extra_key), 0,
			    UI_LEGEND, ui_extra_meaning);
			ui_said_quiet--;
		}
	}
	attrset(style_attr(UI_NORMAL));
	refresh();
}

void
ui_box(const char *const *lines, size_t n, enum ui_style st)
{
	int	 w = 0, h = (int)n + 2, y0, x0, y;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (ui_width(lines[i]) > w)
			w = ui_width(lines[i]);
	w += 4;
	if (w > COLS)
		w = COLS;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	attrset(style_attr(st));
	for (y = 0; y < h; y++)
		(void)mvhline(y0 + y, x0, ' ', w);
	for (i = 0; i < n; i++) {
		if (lines[i][0] != '\0')
			said_add(UI_SAID_BOX, "", lines[i]);
		ui_said_quiet++;
		ui_text(y0 + 1 + (int)i, x0 + 2, w - 4, st, lines[i]);
		ui_said_quiet--;
	}
	attrset(style_attr(UI_NORMAL));
	refresh();
}

int
ui_utf8_append(char *buf, size_t size, size_t *len, int cp)
{
	char	 tmp[4];
	size_t	 k;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp < 0xe000)
			return -1;
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else if (cp < 0x110000) {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	} else
		return -1;
	if (*len + k + 1 > size)
		return -1;
	memcpy(buf + *len, tmp, k);
	*len += k;
	buf[*len] = '\0';
	return 0;
}

void
ui_utf8_pop(char *buf, size_t *len)
{
	while (*len > 0) {
		(*len)--;
		if (((unsigned char)buf[*len] & 0xc0) != 0x80)
			break;
	}
	buf[*len] = '\0';
}
