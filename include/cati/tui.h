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

struct json_t;

/*
 * The supervisor's console: fetch(ctx, &report, e) a report (report.h) now and every every_s
 * seconds (and on r), and show it on pages 1-6 (quotas, interviewers, dispositions and rates,
 * results, problems, on a call now) until q, Ctrl-C or a signal. fetch returns 0 with a new
 * report (the console frees it), or -1 with e set: the last figures stay, the status line says
 * what failed. The terminal is restored in every case. Returns 0, or 1 if the terminal failed.
 */
int tui_supervise(const char *study, const char *user, int every_s,
                  int (*fetch)(void *ctx, struct json_t **report, struct err *e), void *ctx);

#endif
