/* term.h: the terminal primitives of the TUI: keys, painting, signals. */
#ifndef CATI_TERM_H
#define CATI_TERM_H

#include "cati/keys.h"
#include "cati/view.h"

int term_start(void);
void term_stop(void);
void term_size(int *w, int *h);
/* Wait for a key (TK_TIMEOUT after timeout_ms). */
int term_key(int timeout_ms);
void term_paint(const struct view *v);
/* A signal asked us to stop: SIGTERM/SIGINT (1) or SIGHUP (2); 0 if none. */
int term_signal(void);

#endif
