/* term.c: ncurses behind a small interface: keys, painting, signals, restore. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "term.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Set by signal handlers; read by the main loop (the only global of the TUI). */
static volatile sig_atomic_t stop_signal;
static int active;

static void on_signal(int sig)
{
	stop_signal = sig == SIGHUP ? 2 : 1;
}

int term_signal(void)
{
	return stop_signal;
}

int term_start(void)
{
	struct sigaction sa;

	/* the locale (UTF-8 characters, the language) is set once in main: i18n_init */
	if (!initscr())
		return -1;
	active = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_RED, -1);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(term_stop);
	return 0;
}

void term_stop(void)
{
	if (!active)
		return;
	active = 0;
	curs_set(1);
	endwin();
}

void term_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

/*
 * An escape sequence curses did not know for this terminal ("ESC [ 1 ~" for Home under tmux
 * with TERM=xterm-256color): read the rest of it, so that its digits never count as keys.
 * A lone ESC stays ESC.
 */
static int escape_key(void)
{
	wint_t ch;
	char seq[16];
	int n = 0, r;

	timeout(25);
	while (n < (int)sizeof seq - 1) {
		r = get_wch(&ch);
		if (r == ERR || r == KEY_CODE_YES)
			break;
		seq[n++] = (char)ch;
		if (n >= 2 && ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '~'))
			break;
	}
	seq[n] = '\0';
	if (!n)
		return TK_ESC;
	if (seq[0] != '[' && seq[0] != 'O')
		return TK_NONE;
	switch (seq[n - 1]) {
	case 'A': return TK_UP;
	case 'B': return TK_DOWN;
	case 'C': return TK_RIGHT;
	case 'D': return TK_LEFT;
	case 'H': return TK_HOME;
	case 'F': return TK_END;
	case 'Q': return TK_F2;   /* ESC O Q: F2 where terminfo does not know it */
	case '~':
		switch (strtol(seq + 1, NULL, 10)) {   /* the number before ~; 0 when there is none */
		case 1: case 7: return TK_HOME;
		case 4: case 8: return TK_END;
		case 3: return TK_DEL;
		case 5: return TK_PGUP;
		case 6: return TK_PGDN;
		case 12: return TK_F2;
		default: return TK_NONE;
		}
	default:
		return TK_NONE;
	}
}

int term_key(int timeout_ms)
{
	wint_t ch;
	int r;

	timeout(timeout_ms);
	r = get_wch(&ch);
	if (r == ERR)
		return TK_TIMEOUT;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return TK_UP;
		case KEY_DOWN: return TK_DOWN;
		case KEY_LEFT: return TK_LEFT;
		case KEY_RIGHT: return TK_RIGHT;
		case KEY_HOME: return TK_HOME;
		case KEY_END: return TK_END;
		case KEY_PPAGE: return TK_PGUP;
		case KEY_NPAGE: return TK_PGDN;
		case KEY_BACKSPACE: return TK_BS;
		case KEY_DC: return TK_DEL;
		case KEY_ENTER: return TK_ENTER;
		case KEY_F(1): return TK_F1;
		case KEY_F(2): return TK_F2;
		case KEY_RESIZE: return TK_RESIZE;
		default: return TK_NONE;
		}
	}
	switch (ch) {
	case '\r':
	case '\n': return TK_ENTER;
	case 27: return escape_key();
	case 127:
	case 8: return TK_BS;
	case '\t': return TK_TAB;
	case 2: return TK_CTRL_B;
	case 3: return TK_CTRL_C;
	case 4: return TK_CTRL_D;
	case 5: return TK_CTRL_E;
	case 6: return TK_CTRL_F;
	case 7: return TK_CTRL_G;
	case 12: return TK_CTRL_L;
	case 14: return TK_CTRL_N;
	case 18: return TK_CTRL_R;
	case 20: return TK_CTRL_T;
	case 24: return TK_CTRL_X;
	default: return ch < 32 ? TK_NONE : (int)ch;
	}
}

static attr_t style_attr(enum view_style s)
{
	switch (s) {
	case VIEW_READ: return A_BOLD;
	case VIEW_NOTE: return has_colors() ? COLOR_PAIR(1) : A_DIM;
	case VIEW_CURSOR:
	case VIEW_BAR: return A_REVERSE;
	case VIEW_ERROR: return A_BOLD | (has_colors() ? COLOR_PAIR(2) : 0);
	case VIEW_TITLE: return A_BOLD | A_UNDERLINE;
	case VIEW_INPUT: return A_UNDERLINE;
	case VIEW_DIM: return A_DIM;
	default: return A_NORMAL;
	}
}

void term_paint(const struct view *v)
{
	int i, w;

	for (i = 0; i < v->height; i++) {
		const struct view_line *l = &v->lines[i];

		move(i, 0);
		attrset(style_attr(l->style));
		addstr(l->text);
		w = view_width(l->text, strlen(l->text));
		if (l->style == VIEW_BAR || l->style == VIEW_CURSOR) {
			for (; w < v->width; w++)
				addch(' ');
		} else {
			attrset(A_NORMAL);
			clrtoeol();
		}
	}
	attrset(A_NORMAL);
	if (v->cursor_row >= 0) {
		curs_set(1);
		move(v->cursor_row, v->cursor_col);
	} else {
		curs_set(0);
	}
	refresh();
}
