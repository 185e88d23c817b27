/*
 * keys.h: the keys the workstation's screens take. The terminal layer (src/tui/term.c) turns
 * what the terminal sends into these; everything above it sees only these codes, so the
 * screens can be driven without a terminal.
 */
#ifndef CATI_KEYS_H
#define CATI_KEYS_H

/* A key: a Unicode character (> 0) or a special key (one of TK_*). */
enum {
	TK_NONE = 0, TK_ENTER = -1, TK_ESC = -2, TK_UP = -3, TK_DOWN = -4, TK_LEFT = -5,
	TK_RIGHT = -6, TK_HOME = -7, TK_END = -8, TK_PGUP = -9, TK_PGDN = -10, TK_BS = -11,
	TK_DEL = -12, TK_TAB = -13, TK_F1 = -14, TK_RESIZE = -15, TK_TIMEOUT = -16,
	TK_CTRL_B = -20, TK_CTRL_D = -21, TK_CTRL_E = -22, TK_CTRL_F = -23, TK_CTRL_G = -24,
	TK_CTRL_N = -25, TK_CTRL_R = -26, TK_CTRL_T = -27, TK_CTRL_X = -28, TK_CTRL_C = -29,
	TK_CTRL_L = -30, TK_F2 = -31,
};

#endif
