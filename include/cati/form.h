/*
 * form.h: the form language: compile questionnaire files, report errors, print them back,
 * and evaluate their expressions.
 *
 * A compiled form is read-only data. The engine walks its nodes; the store keeps its source.
 * Everything a form points to lives in the form's arena and dies with form_free().
 */
#ifndef CATI_FORM_H
#define CATI_FORM_H

#include <stddef.h>

#include "cati/util.h"

#define FORM_MAX_LANGS 16
#define FORM_MAX_ID 64
#define FORM_MAX_CODE 99999
#define FORM_DEFAULT_TEXT_MAX 255
#define FORM_DEFAULT_LOOP_MAX 20
#define FORM_MAX_LOOP 1000

/* Value types of expressions and variables. */
enum form_type {
	FORM_T_NONE,
	FORM_T_NUM,   /* integers, decimals, choice codes, yes (1) / no (2) */
	FORM_T_TEXT,
	FORM_T_DATE,  /* days since 1970-01-01 */
	FORM_T_SET,   /* the codes chosen in a multiple-choice question */
	FORM_T_BOOL,
};

enum form_qtype {
	FORM_Q_SINGLE,
	FORM_Q_MULTI,
	FORM_Q_INTEGER,
	FORM_Q_DECIMAL,
	FORM_Q_TEXT,
	FORM_Q_DATE,
	FORM_Q_YESNO,
	FORM_Q_GRID,
	FORM_Q_INFO,
};

enum form_kind {
	FORM_N_QUESTION,
	FORM_N_GROUP,
	FORM_N_LOOP,
	FORM_N_SKIP,
	FORM_N_COMPUTE,
	FORM_N_CHECK,
	FORM_N_ENDING,
};

/* Node flags. */
#define FORM_F_DK       0x01u  /* don't know allowed */
#define FORM_F_RF       0x02u  /* refused allowed */
#define FORM_F_RANDOM   0x04u  /* choices / items / group members in random order */
#define FORM_F_CONFIRM  0x08u  /* single choice waits for Enter */
#define FORM_F_FIXED    0x10u  /* keeps its place in a random group */
#define FORM_F_HARD     0x20u  /* check: hard (must be corrected) */
#define FORM_F_COMPLETE 0x40u  /* ending: complete rather than screen-out */
#define FORM_F_PERSONAL 0x80u  /* question: its answer is personal data (erasure, exports, sealing) */

/* Choice flags. */
#define FORM_C_ANCHOR    0x01u  /* keeps its place when choices are randomized */
#define FORM_C_EXCLUSIVE 0x02u  /* cannot be combined with other choices (multi) */

/* A text in each of the form's languages: s[i] belongs to form->langs[i]. */
struct form_text {
	const char **s;    /* NULL when the statement has no such text */
};

struct form_choice {
	int code;
	int line;
	unsigned flags;
	struct form_text label;
	const char *short_name;   /* `short NAME`: another name for the code in samples, or NULL */
};

struct form_scale {
	const char *id;    /* NULL for a question's inline choices */
	int line;
	int n;
	struct form_choice *choices;
};

enum form_vkind {
	FORM_V_CASE,      /* a case (sample) field */
	FORM_V_QUESTION,  /* a question's answer */
	FORM_V_ITEM,      /* one item of a grid */
	FORM_V_COMPUTE,   /* a computed variable */
	FORM_V_LOOPIDX,   /* a loop's iteration number */
};

/* Anything an expression or a fill can read. Index into form->vars is its slot. */
struct form_var {
	const char *id;         /* "q1", or "grid.item" for grid items */
	enum form_vkind kind;
	enum form_type type;
	int node;               /* defining node, -1 for case fields */
	int item;               /* grid item index, else -1 */
	int loop;               /* enclosing loop node, else -1 */
	const struct form_scale *scale;  /* labels for coded values, or NULL */
	int line;
	int has_range;          /* case fields declared `number LO..HI` */
	double lo, hi;
};

enum form_op {
	FORM_E_NUM, FORM_E_STR, FORM_E_DATE, FORM_E_BOOL,
	FORM_E_REF,
	FORM_E_NEG, FORM_E_ADD, FORM_E_SUB, FORM_E_MUL, FORM_E_DIV, FORM_E_MOD,
	FORM_E_EQ, FORM_E_NE, FORM_E_LT, FORM_E_LE, FORM_E_GT, FORM_E_GE,
	FORM_E_AND, FORM_E_OR, FORM_E_NOT,
	FORM_E_IN_SET,   /* a in b, b a multiple-choice answer */
	FORM_E_IN_LIST,  /* a in (1, 2, 5..7) */
	FORM_E_ANSWERED, FORM_E_ASKED, FORM_E_DK, FORM_E_RF,
	FORM_E_COUNT, FORM_E_LEN, FORM_E_ABS, FORM_E_ROUND,
};

struct form_expr {
	enum form_op op;
	enum form_type type;
	int line, col;
	double num;               /* NUM, DATE, BOOL literal */
	const char *str;          /* STR literal; REF: the name as written */
	int var;                  /* REF: slot; -1 before resolution */
	struct form_expr *a, *b;  /* operands; REF: b is the loop iteration or NULL */
	int nranges;              /* IN_LIST: lo[i]..hi[i] */
	double *lo, *hi;
};

struct form_item {
	const char *id;
	int var;
	struct form_text label;
};

struct form_node {
	enum form_kind kind;
	const char *id;           /* NULL for skip, check, ending */
	int line, col;
	int parent, child, next;  /* tree links: node indices, -1 for none */
	int loop;                 /* enclosing loop node, -1 for none */
	unsigned flags;
	struct form_expr *cond;   /* ask-if, skip or ending condition; NULL = always */
	const char *cond_src;     /* the condition as written, for listings */
	struct form_text say;     /* read aloud (questions, endings) */
	struct form_text note;    /* interviewer instruction */

	/* FORM_N_QUESTION */
	enum form_qtype qtype;
	const struct form_scale *scale;  /* choices of single/multi/yesno/grid */
	int has_range;
	double lo, hi;            /* integer, decimal, date */
	int decimals;             /* decimal */
	int minsel, maxsel;       /* multi */
	int maxlen;               /* text, in characters */
	int nitems;               /* grid */
	struct form_item *items;
	int var;                  /* the answer's slot; -1 for grid and info */

	/* FORM_N_COMPUTE: value; FORM_N_CHECK: what must hold; FORM_N_LOOP: count */
	struct form_expr *expr;
	const char *expr_src;
	struct form_text message; /* check */
	int nrefs;                /* check: the variables it reads (questions to revisit) */
	int *refs;

	int target;               /* FORM_N_SKIP: node jumped to */
	int max_iter;             /* FORM_N_LOOP */
	const char *outcome;      /* FORM_N_ENDING: "complete" or the screen-out name */
	const char *call_outcome; /* FORM_N_ENDING: the call outcome it records: "complete",
	                             "quota_full" (a quota's), or the screen-out's `outcome`
	                             (default "screened_out"); a name calls.h knows */
};

/* One cell of a quota with its own target: codes[i] is the code of the quota's i-th variable. */
struct form_quota_cell {
	int *codes;
	int target;
	int line;
};

/*
 * A quota: completes counted per cell, a cell being one combination of codes of the quota's
 * variables (case fields with a scale, single-choice and yes/no questions, grid items; not in
 * loops). When a respondent's cell is full the interview ends at the quota's ending (a node of
 * kind FORM_N_ENDING outside the route, with the quota's outcome and say text).
 */
struct form_quota {
	const char *id;
	int line, col;
	int nvars;
	const char **var_names;   /* as written */
	int *vars;                /* slots */
	const struct form_scale **scales;  /* each variable's codes */
	int target;               /* every cell's target unless a cell line says otherwise */
	int allowance;            /* completes a workstation may make offline per cell; -1: default */
	int ncells;
	struct form_quota_cell *cells;
	int ending;               /* node index of its ending */
};

struct form_hash;

struct form {
	const char *path;         /* as given to form_compile() */
	const char *id;
	const char *version;
	struct form_text title;
	int nlangs;
	const char *langs[FORM_MAX_LANGS];
	int nscales;
	struct form_scale **scales;
	int nvars;
	struct form_var *vars;
	int nnodes;
	struct form_node *nodes;  /* in file order */
	int first;                /* first top-level node, -1 for an empty form */
	int nquotas;
	struct form_quota *quotas;
	int nquestions;
	struct form_hash *var_names;    /* id -> slot */
	struct form_hash *node_names;   /* id -> node */
	struct form_hash *scale_names;  /* id -> index in scales */
	struct arena arena;
};

/* One error found in a form file. */
struct form_diag {
	int line, col;
	char *msg;
};

/* The errors of one compilation, in file order. */
struct form_diags {
	int n, cap;
	struct form_diag *v;
};

void form_diags_init(struct form_diags *d);
void form_diags_release(struct form_diags *d);
/* Append "path:line:col: message\n" for each error to out. */
void form_diags_format(const struct form_diags *d, const char *path, struct buf *out);

/*
 * Compile form source src[0..len) read from path (used in messages). Returns the form, or
 * NULL when the source has errors: every error found is appended to d, in line order.
 * Never crashes on any input. Free the form with form_free().
 */
struct form *form_compile(const char *path, const char *src, size_t len, struct form_diags *d);

/*
 * Read and compile the file at path. On I/O failure returns NULL, sets e, adds nothing to d;
 * on form errors returns NULL with the errors in d.
 */
struct form *form_load(const char *path, struct form_diags *d, struct err *e);

void form_free(struct form *f);

/* Personal data (form/personal.c), which erasure and retention clear: is node a question whose
   answer is the respondent's own words (a text question)? Is a case field of this name personal
   (the name, a phone number, an e-mail or postal address, a birth date)? 1 yes, 0 no. */
int form_personal_question(const struct form *f, int node);
int form_personal_field(const char *name);

/*
 * The cell key of quota q for the given codes (one per variable): "9,1". Appends to out.
 * The target of that cell: its cell line's, else the quota's.
 */
void form_quota_key(const struct form_quota *q, const int *codes, struct buf *out);
int form_quota_target(const struct form_quota *q, const int *codes);
/* The number of cells of q (the product of its variables' scale sizes). */
long form_quota_ncells(const struct form_quota *q);
/* Visit every cell of q in order: cb(ctx, codes). */
void form_quota_foreach(const struct form_quota *q, void (*cb)(void *ctx, const int *codes), void *ctx);

/* The language index of code ("de"), or -1. */
int form_lang(const struct form *f, const char *code);
/* The slot of the variable named id ("q1", "grid.item"), or -1. */
int form_var_find(const struct form *f, const char *id);
/* The node named id, or -1. */
int form_node_find(const struct form *f, const char *id);
/* The choice with this code in s, or NULL. */
const struct form_choice *form_scale_choice(const struct form_scale *s, int code);
/*
 * The code of scale s that text names, as people write it in a sample: the code itself (a
 * whole number is always read as a code), else a label in any of f's languages or the choice's
 * short name, ignoring case and the spaces around. Returns 1 and sets *code; 0 when nothing
 * matches; -1 when it names two choices (*code and *other).
 */
int form_scale_match(const struct form *f, const struct form_scale *s, const char *text, int *code,
                     int *other);
/*
 * The values of s for a message, labels in language lang: "1 W Wien, 2 NOE Niederösterreich"
 * (code, short name, label), or with more than max values the first max-1 and
 * ", ... (9 values)". Appends to out.
 */
void form_scale_values(const struct form *f, const struct form_scale *s, int lang, int max,
                       struct buf *out);
/* A text in language lang, falling back to the first language; "" if none. */
const char *form_text_get(const struct form *f, const struct form_text *t, int lang);

const char *form_qtype_name(enum form_qtype t);
const char *form_type_name(enum form_type t);

/*
 * Print the form as a flat, readable script for proofreading: every question with its route
 * condition, options, texts in language lang and checks. Appends to out.
 */
void form_show(const struct form *f, int lang, struct buf *out);

/* Expression evaluation ------------------------------------------------------------------ */

enum form_vstate {
	FORM_S_MISSING,   /* unanswered, off route, or not computable */
	FORM_S_OK,
	FORM_S_DK,        /* don't know */
	FORM_S_RF,        /* refused */
};

/* A value. str and codes point into storage owned by whoever produced the value. */
struct form_value {
	enum form_type type;
	enum form_vstate state;
	double num;           /* NUM, DATE, BOOL (0 / 1) */
	const char *str;      /* TEXT */
	int ncodes;           /* SET: the chosen codes */
	const int *codes;
};

/*
 * Where evaluation reads variables: get(ctx, slot, iter) returns the value of a variable in
 * a loop iteration (iter 0 outside loops; 1.. inside), or a value with state MISSING.
 * cur_iter is the iteration a plain reference inside a loop means.
 */
struct form_env {
	void *ctx;
	struct form_value (*get)(void *ctx, int slot, int iter);
	int cur_iter;
};

/*
 * Evaluate e. Never fails: anything that cannot be computed (a missing operand, division by
 * zero, an iteration out of range) gives state MISSING.
 */
struct form_value form_eval(const struct form *f, const struct form_expr *e,
                            const struct form_env *env);

/* A condition's verdict: 1 only when e is true; missing counts as false. */
int form_cond(const struct form *f, const struct form_expr *e, const struct form_env *env);

/* Date helpers: days since 1970-01-01 <-> "YYYY-MM-DD". Parse returns -1 on a bad date. */
int form_date_parse(const char *s, size_t n, double *days);
void form_date_format(double days, char out[11]);

/* Typed values: what an interviewer types into a question or a dialog ------------------- */

/*
 * A number as a person types it: digits, a leading minus, and (unless whole) one decimal mark
 * written as a point or a comma: "15", "-2", "3,5", "3.5". Spaces around it are ignored.
 * Nothing else is a number: no plus sign, exponent, hex, inf or nan, no spaces or thousands
 * separators inside, at most 15 significant digits. Returns 0 with *x set (never -0), or -1
 * with e naming what is wrong, the text first: "1e2: type the number in full, without an
 * exponent", "3,5: type a whole number, without decimals or thousands separators".
 */
int form_input_number(const char *s, int whole, double *x, struct err *e);

/*
 * A date as a person types it: D.M.YYYY (day and month with one or two digits) or YYYY-MM-DD,
 * spaces around it ignored, years from 1900. Returns 0 with *days since 1970-01-01
 * (form_date_format() gives the canonical ISO text), or -1 with e naming what is wrong:
 * "31.02.2025: February 2025 has 28 days", "1.13.2025: there is no month 13",
 * "15.3.25: type the year with four digits". For questions and the appointment dialog alike.
 */
int form_input_date(const char *s, double *days, struct err *e);

/*
 * A time of day as a person types it: H:MM or HH:MM, or with a point (9.30), spaces around it
 * ignored. Returns 0 with *hh (0-23) and *mm (0-59), or -1 with e naming what is wrong:
 * "25:00: there is no hour 25", "9:5: type the minutes with two digits, like 9:05".
 */
int form_input_time(const char *s, int *hh, int *mm, struct err *e);

#endif
