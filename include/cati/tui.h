/* tui.h: the interviewer's full-screen workstation (ncurses). */
#ifndef CATI_TUI_H
#define CATI_TUI_H

#include "cati/store.h"

/*
 * Run the workstation on the open store until the interviewer quits or a signal arrives
 * (SIGTERM, SIGINT, SIGHUP: an interview in progress is suspended safely). The terminal is
 * restored in every case. demo_hint is shown on the login screen (NULL: none). Returns 0, or
 * 1 after a fatal error (printed once the terminal is restored). rules: the study's calling
 * rules, which the "next case" follows (see calls.h).
 */
int tui_run(struct store *st, const struct call_rules *rules, const char *demo_hint);

#endif
