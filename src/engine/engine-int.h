/* engine-int.h: the engine's internals, shared by engine.c (routing) and screen.c (views). */
#ifndef CATI_ENGINE_INT_H
#define CATI_ENGINE_INT_H

#include "cati/engine.h"

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
	struct eng_screen screen;
	struct arena scratch;     /* the screen's strings */
	const char **route_ids;   /* eng_route()'s answer */
	int *route_iters;
	int route_cap;
	struct buf tmp;
};

struct ans *ans_at(const struct eng *e, int slot, int iter);
const char *ans_canon(const struct eng *e, int slot, struct ans *a);
int answered(const struct eng *e, int node, int iter);
/* The cell key of quota q into out and its target, or 0 when a variable has no value yet. */
int quota_cell(const struct eng *e, const struct form_quota *q, struct buf *out, int *target);
int info_seen(const struct eng *e, int node, int iter);
void shuffle(const struct eng *e, int *idx, const unsigned char *keep, int n, int node, int iter,
             int salt);
struct form_env form_env(struct eng *e, int iter);
void answer_text(struct eng *e, int node, int iter, struct buf *out, enum form_vstate *st);
enum eng_rc refuse(struct eng *e, enum eng_rc rc, const char *fmt, ...) CATI_PRINTF(3, 4);

#endif
