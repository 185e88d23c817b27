/*
 * engine-int.h: the engine's internals, shared by engine.c (an interview's life), answers.c
 * (stored values), route.c (the route walk), commands.c (navigation) and screen.c (views).
 */
#ifndef CATI_ENGINE_INT_H
#define CATI_ENGINE_INT_H

#include "cati/engine.h"
#include "cati/i18n.h"

/* One stored value of a variable in one iteration. */
struct ans {
	enum form_vstate state;   /* FORM_S_MISSING: none */
	int on_route;
	double num;
	char *text;
	int ncodes;
	int *codes;
	char *canon;              /* canonical text, built on demand */
};

/* A node the route walk visited: a question or a computed variable. */
struct step {
	int node;
	int iter;
};

/* A confirmed soft check, valid while the answers it reads are unchanged. */
struct confirm {
	int node, iter;
	char *snapshot;
};

enum stop_kind { STOP_QUESTION, STOP_CHECK, STOP_END };

struct eng {
	const struct form *f;
	struct eng_env env;
	uint64_t seed;
	int lang;
	struct ans **vals;        /* vals[slot][iter] */
	int *niter;               /* entries per slot */
	unsigned char **ack;      /* info screens seen: ack[node][iter] */
	int *remain;              /* questions at or after each node, for the estimate */

	struct step *trail;
	int ntrail, trail_cap;
	int pos;                  /* trail index of the question shown, or -1: the stop screen */
	enum stop_kind stop;
	int stop_node, stop_iter; /* the raised check or the ending (-1: end of form) */
	int ended_emitted;        /* END already emitted for this stop */
	int last_shown_node, last_shown_iter;

	/* quotas: the cell each was last asked about, and the answer (asked once per cell) */
	char **quota_key;
	unsigned char *quota_was_full;

	struct confirm *confs;
	int nconfs, confs_cap;

	char msg[512];
	char shown[512];        /* msg in the interface language, while msg equals shown_of */
	char shown_of[512];
	struct eng_screen screen;
	struct arena scratch;     /* the screen's strings */
	const char **route_ids;   /* eng_route()'s answer */
	int *route_iters;
	int route_cap;
	struct buf tmp;
};

/* engine.c */
/* Stamp ev with the clock and hand it to the environment's event sink, if any. */
void emit(struct eng *e, struct eng_event *ev);
/* Emit an event of type naming question node (or none, -1) in iteration iter. */
void emit_simple(struct eng *e, enum eng_ev_type type, int node, int iter);
/* Set the interview's message from fmt and return rc (a refused command). */
enum eng_rc refuse(struct eng *e, enum eng_rc rc, const char *fmt, ...) CATI_PRINTF(3, 4);

/* answers.c */
/* Free a stored value's memory and leave it missing. */
void ans_clear(struct ans *a);
/* The stored value of slot in iteration iter, or NULL out of bounds. */
struct ans *ans_at(const struct eng *e, int slot, int iter);
/* The canonical text of a stored value (cached in a; valid while a is unchanged). */
const char *ans_canon(const struct eng *e, int slot, struct ans *a);
/* The environment form_eval() reads on-route answers through, for iteration iter. */
struct form_env form_env(struct eng *e, int iter);
/* Has the info screen (node, iter) been acknowledged? */
int info_seen(const struct eng *e, int node, int iter);
/* Has the question (node, iter) an answer (a grid: every item)? */
int answered(const struct eng *e, int node, int iter);
/* ENG_OK when answer a fits question n's type and limits; else refuse()s with the reason. */
enum eng_rc validate(struct eng *e, const struct form_node *n, const struct eng_answer *a);
/*
 * Store a value into one slot (codes are sorted); the old value's canonical text goes to old
 * and its state to *old_state when old is not NULL. Returns 1 when the value changed.
 */
int store_value(struct eng *e, int slot, int iter, enum form_vstate state, double num,
                const char *text, int ncodes, const int *codes, struct buf *old,
                enum form_vstate *old_state);
/* The canonical text of the question's whole answer into out (grid: items joined), state *st. */
void answer_text(struct eng *e, int node, int iter, struct buf *out, enum form_vstate *st);

/* route.c */
/* Shuffle idx[0..n) reproducibly for (seed, node, iter, salt); entries with keep[i] stay. */
void shuffle(const struct eng *e, int *idx, const unsigned char *keep, int n, int node, int iter,
             int salt);
/* The node after (node, iter) on the walk, into *nn / *ni; *nn = -1 at the end of the form. */
void successor(struct eng *e, int node, int iter, int *nn, int *ni);
/* Walk the route from (node, iter), keeping the first keep steps of the trail. */
void route_walk(struct eng *e, int keep, int node, int iter);
/* The question step before trail index i, or -1. */
int prev_question(const struct eng *e, int i);
/* Emit SHOWN (and END) for what is now on the screen, once per change. */
void announce(struct eng *e);
/* Show what follows trail index i: the next question on the trail, else the stop. */
void advance_from(struct eng *e, int i);
/* The confirmation of the soft check (node, iter), or NULL. */
struct confirm *find_confirm(struct eng *e, int node, int iter);
/* The answers check node reads in iteration iter, as one string (the caller frees it). */
char *check_snapshot(struct eng *e, int node, int iter);
/* The cell key of quota q into out and its target, or 0 when a variable has no value yet. */
int quota_cell(const struct eng *e, const struct form_quota *q, struct buf *out, int *target);

#endif
