/* term.h: the terminal primitives of the TUI: keys, painting, signals. */
#ifndef CATI_TERM_H
#define CATI_TERM_H

#include "cati/view.h"

/* A key: a Unicode character (ch > 0) or a special key (one of TK_*). */
enum {
	TK_NONE = 0, TK_ENTER = -1, TK_ESC = -2, TK_UP = -3, TK_DOWN = -4, TK_LEFT = -5,
	TK_RIGHT = -6, TK_HOME = -7, TK_END = -8, TK_PGUP = -9, TK_PGDN = -10, TK_BS = -11,
	TK_DEL = -12, TK_TAB = -13, TK_F1 = -14, TK_RESIZE = -15, TK_TIMEOUT = -16,
	TK_CTRL_B = -20, TK_CTRL_D = -21, TK_CTRL_E = -22, TK_CTRL_F = -23, TK_CTRL_G = -24,
	TK_CTRL_N = -25, TK_CTRL_R = -26, TK_CTRL_T = -27, TK_CTRL_X = -28, TK_CTRL_C = -29,
	TK_CTRL_L = -30,
};

int term_start(void);
void term_stop(void);
void term_size(int *w, int *h);
/* Wait for a key (TK_TIMEOUT after timeout_ms). */
int term_key(int timeout_ms);
void term_paint(const struct view *v);
/* A signal asked us to stop: SIGTERM/SIGINT (1) or SIGHUP (2); 0 if none. */
int term_signal(void);
/* Edit a UTF-8 line with key k; returns 1 if the key was used. */
int term_edit(char *line, size_t cap, int *cursor, int k);

#endif
