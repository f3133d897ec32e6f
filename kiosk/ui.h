/*
 * ui: the kiosk's terminal — ncursesw set up for a public screen (raw
 * keys, no echo, no cursor), explicit high-contrast colour pairs with a
 * monochrome fallback, UTF-8 text that is cut or wrapped to the screen,
 * the key legend on the last line, and keys reduced to what a keypad and
 * a keyboard give.
 */
#ifndef MUNI_KIOSK_UI_H
#define MUNI_KIOSK_UI_H

#include <stddef.h>

#define UI_MIN_COLS	80
#define UI_MIN_ROWS	24
#define UI_TICK_MS	200	/* how often the loop wakes without a key */

enum ui_style {
	UI_NORMAL,	/* light text on a dark screen */
	UI_TITLE,
	UI_LEGEND,
	UI_ERROR,
	UI_OK,
	UI_QR,		/* white on black, never reversed (qr.h) */
	UI_FIELD,
	UI_BAR_OK,
	UI_BAR_FAIL,
	UI_BAR_WAIT,
	UI_STYLE_COUNT,
};

/* Keys as the screens see them. */
enum ui_key {
	UI_K_NONE = -1,		/* timeout: nothing pressed */
	UI_K_ENTER = 0x110000,	/* above every Unicode code point */
	UI_K_BACKSPACE,
	UI_K_LEFT,
	UI_K_RIGHT,
	UI_K_UP,
	UI_K_DOWN,
	UI_K_RESIZE,
	UI_K_IGNORED,		/* control keys: ^C, ^Z, ^\, function keys */
};

/* Start ncursesw on the terminal; -1 when it cannot (not a terminal). */
int	 ui_init(void);
void	 ui_end(void);
/* Wipe the screen: blank every cell and make the terminal forget it. */
void	 ui_wipe(void);

/* The next key, waiting up to UI_TICK_MS; a code point or an enum ui_key. */
int	 ui_key(void);

int	 ui_rows(void);
int	 ui_cols(void);
/* 1 when the terminal is at least 80x24; else it shows why and returns 0. */
int	 ui_big_enough(void);

/* Start a screen: blank, with title on the first line. */
void	 ui_begin(const char *title);
/* The legend (pairs of key, meaning; NULL ends) on the last line; refresh. */
void	 ui_finish(const char *const *legend);
/*
 * One more key at the legend's right end on every screen from now on (the
 * speech's repeat key), shown, not spoken; key NULL: none. Both strings
 * must outlive the screens drawn.
 */
void	 ui_legend_extra(const char *key, const char *meaning);

/* UTF-8 text at y, x cut to width columns (0: to the right edge). */
void	 ui_text(int y, int x, int width, enum ui_style, const char *s);
/* Wrapped at spaces into width columns from y; returns the next free row. */
int	 ui_wrap(int y, int x, int width, enum ui_style, const char *s);
/* Columns a UTF-8 string takes. */
int	 ui_width(const char *s);
/* A horizontal bar of n cells in style. */
void	 ui_bar(int y, int x, int n, enum ui_style);
/* A box over the screen's middle with lines of text (the idle warning). */
void	 ui_box(const char *const *lines, size_t n, enum ui_style);
int	 ui_has_colors(void);

/*
 * What the screen says, in the order it was drawn, for the speech
 * (speech.h): the title, each text, field and error, the box over the
 * screen, each key of the legend with its meaning. The payment code's
 * blocks are not in it. ui_begin starts it again.
 */
enum ui_said_kind {
	UI_SAID_TITLE,
	UI_SAID_TEXT,
	UI_SAID_ERROR,
	UI_SAID_FIELD,		/* what was typed, or is marked */
	UI_SAID_BOX,		/* the idle warning */
	UI_SAID_KEY,		/* key: the legend's key, text: its meaning */
};
#define UI_SAID_MAX		64
#define UI_SAID_TEXT_SIZE	512
struct ui_said_item {
	enum ui_said_kind	 kind;
	char			 key[16];
	char			 text[UI_SAID_TEXT_SIZE];
};
struct ui_said {
	size_t			 n;
	struct ui_said_item	 item[UI_SAID_MAX];
};
const struct ui_said	*ui_said(void);

/* Append the UTF-8 encoding of code point cp to buf of len bytes. */
int	 ui_utf8_append(char *buf, size_t size, size_t *len, int cp);
/* Remove the last UTF-8 character of buf. */
void	 ui_utf8_pop(char *buf, size_t *len);

#endif
