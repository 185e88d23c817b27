/*
 * export.h: interviews as a data set researchers open at once: one row per interview, the
 * variables and their labels worked out from the form, written as CSV, JSON, SPSS (.sav),
 * Stata (.dta), SAS (.sas7bdat + a .sas program of formats), Triple-S (XML + data), a DDI
 * Codebook 2.5 XML and a plain codebook, and the call records. No database here: a source (the
 * workstation's or the central store's) hands the interviews over one by one.
 */
#ifndef CATI_EXPORT_H
#define CATI_EXPORT_H

#include <stdint.h>

#include "cati/form.h"
#include "cati/util.h"

/* Codes of the declared missing values in numeric variables (see exp_schema_build). */
#define EXP_DK_CODE (-8.0)
#define EXP_RF_CODE (-9.0)

enum exp_vtype { EXP_NUM, EXP_STR };

/*
 * Measurement level. Ordinal: a single-choice or grid question on a named scale whose codes run
 * without gaps (at least three: 1, 2, 3 ...), the way forms declare rating scales; scale:
 * numbers and dates without value labels; nominal: everything else (texts, yes/no, the options
 * of a multiple choice, a question's own list of choices, case fields).
 */
enum exp_measure { EXP_NOMINAL, EXP_ORDINAL, EXP_SCALE };

/* Codes of the answer status variable NAME_st of a text or date that allows don't know or refused. */
#define EXP_ST_ANSWERED 1
#define EXP_ST_DK 8
#define EXP_ST_RF 9

/* The fixed words of the exports, in the export language (words.c). */
enum exp_word {
	EXP_W_DK, EXP_W_RF, EXP_W_CHOSEN, EXP_W_NOT_CHOSEN, EXP_W_NOT_ASKED, EXP_W_ANSWERED,
	EXP_W_STATUS_OF, EXP_W_MISSING,
	EXP_W_INTERVIEW, EXP_W_CASE, EXP_W_INTERVIEWER, EXP_W_LANG, EXP_W_STATUS, EXP_W_OUTCOME,
	EXP_W_STARTED, EXP_W_ENDED, EXP_W_DURATION, EXP_W_VERSION,
	EXP_W_CODEBOOK, EXP_W_INTERVIEWS, EXP_W_VARIABLES, EXP_W_TEXT, EXP_W_BYTES, EXP_W_DATE,
	EXP_W_NUMBER, EXP_W_DECIMALS, EXP_W_WITH_VALUE, EXP_W_EMPTY, EXP_W_ASKED_IF,
	EXP_W_NOMINAL, EXP_W_ORDINAL, EXP_W_SCALE, EXP_W_LEGEND,
	EXP_W_COUNT
};

/* Where a variable's value comes from. */
enum exp_src {
	EXP_S_META,     /* the interview: id, case, interviewer, lang, status, outcome, times, duration */
	EXP_S_CASE,     /* a case field */
	EXP_S_ANSWER,   /* a question's answer (or one loop iteration of it) */
	EXP_S_OPTION,   /* one option of a multiple choice: 1 chosen, 0 not */
	EXP_S_ITEM,     /* one item of a grid */
	EXP_S_STATUS,   /* the answer status of the variable before it (a text or a date) */
};

struct exp_label {
	double value;
	const char *label;
};

/* One variable (column). Everything points into the schema's arena. */
struct exp_var {
	const char *name;         /* unique, at most 32 characters of [A-Za-z0-9_], starts with a letter */
	const char *label;        /* the question's text in the export language, fills as [name], a
	                             loop's iteration numbered; or a description */
	enum exp_vtype type;
	int width;                /* EXP_STR: bytes (set by exp_widths from the data; at least 1) */
	int decimals;             /* EXP_NUM: digits after the point */
	int is_date;              /* EXP_NUM holding days since 1970-01-01 */
	int nlabels;              /* value labels */
	struct exp_label *labels;
	int missing;              /* FORM_F_DK / FORM_F_RF: don't know / refused are declared missing */
	enum exp_measure measure;
	const char *route;        /* the condition the question is asked under, as written, or NULL */
	const char *question;     /* the question id (qid), the case field, or the meta field */

	enum exp_src src;
	int iter;                 /* loop iteration (1..) for questions in loops, else 0 */
	int code;                 /* EXP_S_OPTION: the option's code */
	int item;                 /* EXP_S_ITEM: item index in the grid */
	int qtype;                /* enum form_qtype of the question */
};

/* Bytes of a study's pseudonym key, and characters of a pseudonym ("p" and 16 hex digits). */
#define EXP_PSEUDONYM_KEY 32
#define EXP_PSEUDONYM_LEN 17

/*
 * What an export holds. Without identities it leaves out the respondent's name and phone
 * numbers (case fields name, phone ...) and the free-text answers (text questions): they leave
 * the store only when asked for. With a pseudonym key the case and interview ids are keyed
 * pseudonyms (exp_pseudonym), stable for one key, and the mapping is nowhere in the export.
 */
struct exp_opts {
	int identities;
	const unsigned char *pseudonym_key;   /* EXP_PSEUDONYM_KEY bytes, or NULL: ids as they are */
};

/* The pseudonym of id under key: "p" and the first 8 bytes of HMAC-SHA256(key, id) in hex. */
void exp_pseudonym(const unsigned char *key, const char *id, char out[EXP_PSEUDONYM_LEN + 1]);

struct exp_schema {
	const struct form *form;
	int nvars;
	struct exp_var *vars;
	struct arena arena;
	int words;                /* the table of fixed words (exp_word) */
	int pseudonyms;           /* case and interview ids as pseudonyms under pseudonym_key */
	unsigned char pseudonym_key[EXP_PSEUDONYM_KEY];
	/* internal: the first variable of each question node (-1: none) and how many each loop
	   iteration has */
	int *node_first, *node_per_iter;
};

/*
 * The variables of form f, in this order: interview, case, interviewer, lang, status, outcome,
 * started, ended, duration (seconds), form_version; the case fields; then each question in form
 * order (a multiple choice as one 0/1 variable per option, a grid as one variable per item, a
 * question in a loop once per iteration up to the loop's maximum; info screens have none).
 * Texts in language lang. Don't know and refused are EXP_DK_CODE / EXP_RF_CODE, declared
 * missing, in numeric variables and dates; in text variables they are the strings "dk" / "rf"
 * (value state FORM_S_DK / FORM_S_RF); a text or date that allows them is followed by its answer
 * status variable NAME_st (EXP_ST_*).
 */
void exp_schema_build(struct exp_schema *s, const struct form *f, int lang);
/* exp_schema_build holding what o allows (NULL: everything, ids as they are). */
void exp_schema_build_opts(struct exp_schema *s, const struct form *f, int lang, const struct exp_opts *o);
/* Is case field (or question) id a personal one an export without identities leaves out? */
int exp_personal_field(const char *id);
/* The fixed word w in the schema's export language (English when s is NULL). Static text. */
const char *exp_word(const struct exp_schema *s, enum exp_word w);
/* The word table of a language code ("de", "nl-BE" ...): English for one it lacks. */
int exp_words_of(const char *lang);
void exp_schema_release(struct exp_schema *s);

/* One answer of an interview, as the stores keep it (value: canonical text; state FORM_S_*). */
struct exp_answer {
	const char *qid;
	int iter;
	int state;
	const char *value;
};

/* One interview as a source hands it over. Strings live until the callback returns. */
struct exp_interview {
	const char *uuid, *case_key, *interviewer, *lang, *status, *outcome;
	const char *started_at, *ended_at;   /* ISO 8601 UTC, or NULL */
	const char *form_version;            /* the version of the form it ran on, or NULL */
	const char *fields_json;             /* the case fields, a JSON object of texts */
	int nanswers;
	const struct exp_answer *answers;    /* on-route answers only */
};

/* A value of one cell. */
struct exp_value {
	int present;              /* 0: empty (system missing: not asked, off route) */
	int state;                /* FORM_S_DK / FORM_S_RF for don't know / refused, else 0 */
	double num;
	const char *str;          /* EXP_STR */
};

/*
 * The row of one interview: vals[i] for schema variable i (into a caller array of s->nvars).
 * Strings point into row_arena (reset by the caller between rows as it likes).
 */
void exp_row(const struct exp_schema *s, const struct exp_interview *iv, struct exp_value *vals,
             struct arena *row_arena);

/* One call attempt for the call-record file. */
struct exp_attempt {
	const char *case_key, *interviewer, *at, *phone, *outcome, *disposition;
	const char *disposition_label;   /* "no answer" ...; NULL: exp_calls_take looks it up */
};

enum exp_format { EXP_CSV, EXP_JSON, EXP_SAV, EXP_DTA, EXP_SSS, EXP_DDI, EXP_CODEBOOK, EXP_SAS };

/* "csv" -> EXP_CSV ...; -1 for an unknown name. */
int exp_format_of(const char *name);

/*
 * The data set in memory: the schema and every row, so that writers can size text columns and
 * count rows before they write. exp_data_add copies the row.
 */
struct exp_data {
	struct exp_schema schema;
	long nrows;
	struct exp_value **rows;  /* rows[r][i] */
	long cap;
	struct arena arena;       /* the rows' strings */
	const char *title;        /* the form's title in the export language */
	const char *study;
};

void exp_data_init(struct exp_data *d, const struct form *f, int lang);
/* exp_data_init holding what o allows (exp_opts; NULL: everything, as exp_data_init). */
void exp_data_init_opts(struct exp_data *d, const struct form *f, int lang, const struct exp_opts *o);
void exp_data_add(struct exp_data *d, const struct exp_interview *iv);
/* Set text widths from the data (the longest value, in bytes, at least 1). */
void exp_widths(struct exp_data *d);
void exp_data_release(struct exp_data *d);

/*
 * Write the data set to path in a format. EXP_SSS writes path (the XML) and path with ".dat"
 * for ".sss" (fixed-width data); EXP_SAS path (.sas7bdat) and a SAS program with its value
 * labels as formats, path with ".sas" for ".sas7bdat"; the others one file. Returns 0, or -1 with e ("cannot write
 * 'x.sav': disk full").
 */
int exp_write(struct exp_data *d, enum exp_format fmt, const char *path, struct err *e);

/* exp_data_add as a source's callback (ctx: the struct exp_data). */
void exp_data_take(void *ctx, const struct exp_interview *iv);

/* Call records collected from a source (exp_calls_take copies each). */
struct exp_calls {
	long n, cap;
	struct exp_attempt *v;
	struct arena arena;
};
void exp_calls_init(struct exp_calls *c);
void exp_calls_take(void *ctx, const struct exp_attempt *a);
void exp_calls_release(struct exp_calls *c);
/* Replace the case ids of the call records with their pseudonyms under key. */
void exp_calls_pseudonyms(struct exp_calls *c, const unsigned char *key);

/*
 * Every format at once, beside each other: PREFIX.csv, .json, .sav, .dta, .sas7bdat (+
 * .sas), .sss (+ .dat), .ddi.xml and .codebook.txt. Stops at the first failure.
 */
int exp_write_all(struct exp_data *d, const char *prefix, struct err *e);

/*
 * The call records as CSV: case, interviewer, at, [phone,] outcome, disposition and its label.
 * The phone column only when with_phone is set: phone numbers leave the system on request.
 */
int exp_write_calls(const struct exp_attempt *a, long n, int with_phone, const char *path, struct err *e);

/* Rows of either store's tables (a statement of the SQL drivers, cati/db.h) handed to the
   export layer: both stores' exports read their interviews and calls through these. */
struct dbs;
/*
 * Step ivs (columns: uuid, case, interviewer, lang, status, outcome, started_at, ended_at, fields
 * JSON, key, form version) and for each row bind its key to ?1 of ans (columns: qid, iter, state, value) and
 * hand the interview with its answers to cb. Returns the last step result (DB_DONE when
 * all went through).
 */
int export_interview_rows(struct dbs *ivs, struct dbs *ans,
                          void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx);
/* Step s (columns: case, interviewer, at, phone, outcome, disposition), each row to cb. */
int export_attempt_rows(struct dbs *s, void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx);

/* exp_redact_record: take a respondent's personal data out of a synced record's data (JSON
 * object) in place: name, phone, with, text, suspend_reason, and the values of the questions in
 * qids (an object whose keys are the personal questions' ids). Returns 1 when anything was taken,
 * else 0; redacting twice gives the same. Used by the store and the workstation alike. */
struct json_t;
int exp_redact_record(struct json_t *data, struct json_t *qids);

#endif
