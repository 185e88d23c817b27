/*
 * db-pg.c: the PostgreSQL driver (cati/db.h), over libpq.
 *
 * The store's statements are SQLite's dialect; prepare() rewrites each once: ?N and ? become
 * $N, instr() strpos(), two-argument max() and min() greatest() and least(), json_each()
 * cati_each(), CROSS JOIN ... ON a plain JOIN, and the column name user is quoted. The central
 * store's schema (src/central/schema-pg.c) defines the SQLite functions PostgreSQL lacks.
 * Statements are prepared on the server once per connection and kept; their results are read whole, so a statement may be stepped while another is open.
 *
 * Writers take one advisory lock per transaction, which every store instance on the database
 * shares: change numbers for pulls are then handed out and committed in one order, and the
 * store's checks (a quota cell's allowances, a case's lock) read what the previous writer
 * committed, as they do on SQLite. Pushes are shared writers: they hold that lock in shared mode,
 * so batches go in side by side on every connection of every instance, and wait for each other
 * only where they meet: a uuid both store (the primary key), a case both complete (db_lock), a
 * quota cell both count (its row, taken in sorted order), the change counter's row (held to
 * commit, so change numbers still commit in order). A lost connection is reopened at the next
 * transaction or statement.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/db.h"
#include "cati/i18n.h"

#define WRITE_LOCK "7260415"    /* pg_advisory_xact_lock key of the store's writers */
#define KEY_LOCKS "7260416"     /* first number of the store's locks on keys (db_lock) */
#define CACHE 1024              /* prepared statements kept per connection */
#define MAX_PARAMS 1024         /* ?N in one statement */

struct cached {
	char *sql;
	char name[16];
};

struct pg {
	struct db base;
	PGconn *c;
	char *url;
	struct cached cache[CACHE];
	int ncache, serial;
	int64_t changes;
	int constraint;
	char state[6];      /* the last failure's SQLSTATE, "" when it had none */
	char err[512];
};

struct pgs {
	struct dbs base;
	char *sql;
	const char *name;   /* prepared on the server, or NULL: sent with its parameters */
	int nparams;
	Oid *types;         /* text for the parameters the statement leaves out, else 0 */
	char **vals;
	PGresult *r;
	int row;
};

#define P(d) ((struct pg *)(d))
#define Q(s) ((struct pgs *)(s))

/* Drop PostgreSQL's notices: the store reports what it must itself. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Keep the last failure's first line, its SQLSTATE, and whether it broke a unique key. */
static void set_err(struct pg *p, PGresult *r)
{
	const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(p->c);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	size_t n = strcspn(m, "\n");

	snprintf(p->err, sizeof p->err, "%.*s", (int)n, m);
	p->constraint = state && !strcmp(state, "23505");
	snprintf(p->state, sizeof p->state, "%s", state ? state : "");
}

/* Is this character part of an identifier? */
static int word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* Does the call whose '(' is at p have a comma at its own depth? */
static int two_args(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\'') {
			for (p++; *p && !(*p == '\'' && p[1] != '\''); p += *p == '\'' ? 2 : 1)
				;
			if (!*p)
				return 0;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (--depth == 0)
				return 0;
		} else if (*p == ',' && depth == 1) {
			return 1;
		}
	}
	return 0;
}

/*
 * SQLite's dialect to PostgreSQL's (see the top of this file); *nparams gets the highest $N and
 * types[] (MAX_PARAMS long) 25, text, for each $N below it the statement leaves out, 0 for the rest:
 * PostgreSQL wants a type for every parameter and SQLite does not care.
 */
static char *translate(const char *sql, int *nparams, unsigned *types)
{
	static const struct {
		const char *from, *to;
		int calls;   /* only when followed by '(' */
	} words[] = {
		{ "instr", "strpos", 1 },
		{ "json_each", "cati_each", 1 },
		{ "user", "\"user\"", 0 },
	};
	struct buf b;
	const char *p = sql;
	int top = 0, n;

	memset(types, 0, sizeof *types * MAX_PARAMS);
	buf_init(&b);
	while (*p) {
		if (*p == '\'' || *p == '"') {
			const char *q = p + 1;
			for (;;) {
				if (!*q)
					break;
				if (*q == *p) {
					if (q[1] == *p) {
						q += 2;
						continue;
					}
					q++;
					break;
				}
				q++;
			}
			buf_add(&b, p, (size_t)(q - p));
			p = q;
		} else if (*p == '?') {
			n = 0;
			p++;
			if (*p >= '0' && *p <= '9') {
				while (*p >= '0' && *p <= '9')
					n = n * 10 + (*p++ - '0');
			} else {
				n = top + 1;
			}
			if (n > top)
				top = n;
			if (n < MAX_PARAMS)
				types[n] = 1;
			buf_printf(&b, "$%d", n);
		} else if (word(*p) && (p == sql || !word(p[-1]))) {
			const char *q = p;
			size_t i, len;
			while (word(*q))
				q++;
			len = (size_t)(q - p);
			for (i = 0; i < sizeof words / sizeof words[0]; i++)
				if (strlen(words[i].from) == len && !strncmp(p, words[i].from, len) &&
				    (!words[i].calls || (*q == '(' && !(p > sql && p[-1] == '.'))))
					break;
			if (i < sizeof words / sizeof words[0])
				buf_puts(&b, words[i].to);
			else if (len == 5 && !strncmp(p, "CROSS", 5) && !strncmp(q, " JOIN", 5))
				;   /* SQLite's CROSS JOIN ... ON fixes the join order; PostgreSQL's is a JOIN */
			else if (len == 3 && *q == '(' && (!strncmp(p, "max", 3) || !strncmp(p, "min", 3)) && two_args(q))
				buf_puts(&b, p[1] == 'a' ? "greatest" : "least");
			else
				buf_add(&b, p, len);
			p = q;
		} else {
			buf_add(&b, p, 1);
			p++;
		}
	}
	*nparams = top;
	for (n = 1; n <= top && n < MAX_PARAMS; n++)
		types[n] = types[n] ? 0 : 25;
	return buf_detach(&b);
}

/* A connection that was lost is opened again; its prepared statements went with it. */
static int alive(struct pg *p)
{
	int i;

	if (PQstatus(p->c) == CONNECTION_OK)
		return 0;
	PQreset(p->c);
	for (i = 0; i < p->ncache; i++)
		free(p->cache[i].sql);
	p->ncache = 0;
	if (PQstatus(p->c) != CONNECTION_OK) {
		set_err(p, NULL);
		return -1;
	}
	PQsetNoticeProcessor(p->c, quiet, NULL);
	PQclear(PQexec(p->c, "SET TIME ZONE 'UTC'"));
	return 0;
}

/* PostgreSQL: translate sql to PostgreSQL's dialect and prepare it (cached by text). */
static int pg_prepare(struct db *d, const char *sql, struct dbs **out)
{
	struct pg *p = P(d);
	struct pgs *s = xcalloc(1, sizeof *s);
	unsigned types[MAX_PARAMS];
	int i;

	*out = NULL;
	s->base.db = d;
	s->sql = translate(sql, &s->nparams, types);
	s->types = xcalloc((size_t)s->nparams + 1, sizeof *s->types);
	for (i = 0; i < s->nparams && i + 1 < MAX_PARAMS; i++)
		s->types[i] = types[i + 1];
	s->vals = xcalloc((size_t)s->nparams + 1, sizeof *s->vals);
	s->row = -1;
	if (PQtransactionStatus(p->c) == PQTRANS_IDLE)
		alive(p);
	for (i = 0; i < p->ncache; i++)
		if (!strcmp(p->cache[i].sql, s->sql)) {
			s->name = p->cache[i].name;
			break;
		}
	if (!s->name && p->ncache < CACHE) {
		struct cached *k = &p->cache[p->ncache];
		PGresult *r;

		snprintf(k->name, sizeof k->name, "s%d", ++p->serial);
		r = PQprepare(p->c, k->name, s->sql, s->nparams, s->types);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			set_err(p, r);
			PQclear(r);
			free(s->sql);
			free(s->vals);
			free(s->types);
			free(s);
			return DB_ERROR;
		}
		PQclear(r);
		k->sql = xstrdup(s->sql);
		s->name = k->name;
		p->ncache++;
	}
	*out = &s->base;
	return DB_OK;
}

/* PostgreSQL: bind text (NULL binds NULL); parameters are always copied. */
static int pg_bind_text(struct dbs *x, int i, const char *v, int copy)
{
	struct pgs *s = Q(x);

	(void)copy;   /* always copied: the value is sent at the first step */
	if (i < 1 || i > s->nparams)
		return DB_ERROR;
	free(s->vals[i - 1]);
	s->vals[i - 1] = v ? xstrdup(v) : NULL;
	return DB_OK;
}

/* PostgreSQL: bind a whole number as its text. */
static int pg_bind_int64(struct dbs *x, int i, int64_t v)
{
	char n[32];

	snprintf(n, sizeof n, "%lld", (long long)v);
	return pg_bind_text(x, i, n, 1);
}

/* PostgreSQL: bind a real number as its text. */
static int pg_bind_double(struct dbs *x, int i, double v)
{
	char n[64];

	snprintf(n, sizeof n, "%.17g", v);
	return pg_bind_text(x, i, n, 1);
}

/* PostgreSQL: bind NULL. */
static int pg_bind_null(struct dbs *x, int i)
{
	return pg_bind_text(x, i, NULL, 0);
}

/* PostgreSQL: run the statement on its first step, then hand out its rows one by one. */
static int pg_step(struct dbs *x)
{
	struct pgs *s = Q(x);
	struct pg *p = P(x->db);

	if (!s->r) {
		ExecStatusType st;
		const char *n;

		if (s->name)
			s->r = PQexecPrepared(p->c, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0);
		else
			s->r = PQexecParams(p->c, s->sql, s->nparams, s->types, (const char *const *)s->vals, NULL, NULL, 0);
		st = PQresultStatus(s->r);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			set_err(p, s->r);
			PQclear(s->r);
			s->r = NULL;
			return DB_ERROR;
		}
		p->constraint = 0;
		n = PQcmdTuples(s->r);
		if (*n)
			p->changes = strtoll(n, NULL, 10);
		s->row = 0;
	} else {
		s->row++;
	}
	return s->row < PQntuples(s->r) ? DB_ROW : DB_DONE;
}

/* PostgreSQL: the number of columns of the result. */
static int pg_column_count(struct dbs *x)
{
	return Q(x)->r ? PQnfields(Q(x)->r) : 0;
}

/* Is column i of the current row there and not NULL? */
static int here(struct pgs *s, int i)
{
	return s->r && s->row >= 0 && s->row < PQntuples(s->r) && i >= 0 && i < PQnfields(s->r) &&
	       !PQgetisnull(s->r, s->row, i);
}

/* PostgreSQL: a column's type, as a DB_ type, from the result's column type. */
static int column_type(struct dbs *x, int i)
{
	struct pgs *s = Q(x);

	if (!here(s, i))
		return DB_NULL;
	switch (PQftype(s->r, i)) {
	case 16:     /* bool */
	case 20:     /* int8 */
	case 21:     /* int2 */
	case 23:     /* int4 */
	case 26:     /* oid */
		return DB_INTEGER;
	case 1700:   /* numeric: a sum of integers is one, as on SQLite */
		return strpbrk(PQgetvalue(s->r, s->row, i), ".eEN") ? DB_FLOAT : DB_INTEGER;
	case 700:    /* float4 */
	case 701:    /* float8 */
		return DB_FLOAT;
	default:
		return DB_TEXT;
	}
}

/* PostgreSQL: a column as text (NULL for NULL), valid until the next step. */
static const char *column_text(struct dbs *x, int i)
{
	struct pgs *s = Q(x);
	const char *v;

	if (!here(s, i))
		return NULL;
	v = PQgetvalue(s->r, s->row, i);
	if (PQftype(s->r, i) == 16)
		return *v == 't' ? "1" : "0";
	return v;
}

/* PostgreSQL: a column as a real number. */
static double column_double(struct dbs *x, int i)
{
	const char *v = column_text(x, i);

	return v ? strtod(v, NULL) : 0.0;
}

/* PostgreSQL: a column as a whole number (a real one cut to its whole part). */
static int64_t column_int64(struct dbs *x, int i)
{
	const char *v = column_text(x, i);

	if (!v)
		return 0;
	if (column_type(x, i) == DB_FLOAT)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

/* PostgreSQL: drop the result so the statement runs again on its next step. */
static void pg_reset(struct dbs *x)
{
	PQclear(Q(x)->r);
	Q(x)->r = NULL;
	Q(x)->row = -1;
}

/* PostgreSQL: set every parameter back to NULL. */
static void pg_clear_bindings(struct dbs *x)
{
	struct pgs *s = Q(x);
	int i;

	for (i = 0; i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
}

/* PostgreSQL: free the statement (the prepared one stays cached on the connection). */
static void pg_finalize(struct dbs *x)
{
	pg_reset(x);
	pg_clear_bindings(x);
	free(Q(x)->vals);
	free(Q(x)->types);
	free(Q(x)->sql);
	free(x);
}

/* PostgreSQL: run statements without parameters or results. */
static int pg_exec(struct db *d, const char *sql)
{
	struct pg *p = P(d);
	PGresult *r;
	int ok;

	if (PQtransactionStatus(p->c) == PQTRANS_IDLE && alive(p) < 0)
		return DB_ERROR;
	r = PQexec(p->c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		set_err(p, r);
	PQclear(r);
	return ok ? DB_OK : DB_ERROR;
}

/* PostgreSQL: begin a reader's, writer's or shared writer's transaction (see db.h). */
static int pg_begin(struct db *d, int write)
{
	if (write == DB_WRITE_SHARED)
		return pg_exec(d, "BEGIN; SELECT pg_advisory_xact_lock_shared(" WRITE_LOCK ")");
	if (write)
		return pg_exec(d, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")");
	return pg_exec(d, "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/* A key's lock: the two-number advisory locks, in a space of their own. */
static int pg_lock(struct db *d, const char *key)
{
	struct dbs *s;
	int rc;

	if (pg_prepare(d, "SELECT pg_advisory_xact_lock(" KEY_LOCKS ", hashtext(?))", &s) != DB_OK)
		return DB_ERROR;
	pg_bind_text(s, 1, key, 0);
	rc = pg_step(s) == DB_ROW ? DB_OK : DB_ERROR;
	pg_finalize(s);
	return rc;
}

/* PostgreSQL: the rows the last statement changed. */
static int64_t pg_changes(struct db *d)
{
	return P(d)->changes;
}

/* PostgreSQL: the last failure's message. */
static const char *pg_errmsg(struct db *d)
{
	return P(d)->err;
}

/* PostgreSQL: did the last statement fail on a unique key (23505)? */
static int pg_constraint(struct db *d)
{
	return P(d)->constraint;
}

/*
 * PostgreSQL's class of the last failure from its SQLSTATE: serialization failure (40001),
 * deadlock (40P01), lock not available (55P03) and insufficient resources (53xxx) but a full
 * disk (53100) are worth trying again.
 */
static int pg_errkind(struct db *d)
{
	const char *st = P(d)->state;

	if (!strcmp(st, "53100"))
		return ERR_KIND_FULL;
	if (!strcmp(st, "40001") || !strcmp(st, "40P01") || !strcmp(st, "55P03") || !strncmp(st, "53", 2))
		return ERR_KIND_BUSY;
	return ERR_KIND_STORAGE;
}

/* PostgreSQL: close the connection and free what the driver kept. */
static void pg_close(struct db *d)
{
	struct pg *p = P(d);
	int i;

	for (i = 0; i < p->ncache; i++)
		free(p->cache[i].sql);
	PQfinish(p->c);
	free(p->url);
}

static const struct db_ops pg_ops = {
	"postgresql", pg_prepare, pg_bind_text, pg_bind_int64, pg_bind_double, pg_bind_null,
	pg_step, pg_column_count, column_type, column_text, column_int64, column_double,
	pg_reset, pg_clear_bindings, pg_finalize, pg_exec, pg_begin, pg_lock, pg_changes, pg_errmsg,
	pg_constraint, pg_errkind, pg_close,
};

/* The URL for messages: without its password. */
static char *shown(const char *url)
{
	const char *at = strchr(url, '@'), *scheme = strstr(url, "://"), *colon;
	struct buf b;

	if (!at || !scheme)
		return xstrdup(url);
	colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
	if (!colon)
		return xstrdup(url);
	buf_init(&b);
	buf_add(&b, url, (size_t)(colon - url));
	buf_puts(&b, at);
	return buf_detach(&b);
}

/* Connect to url with the driver's settings: NULL with e on failure. */
static struct db *open_pg(const char *url, struct err *e)
{
	struct pg *p = xcalloc(1, sizeof *p);

	p->base.ops = &pg_ops;
	p->base.where = shown(url);
	p->url = xstrdup(url);
	p->c = PQconnectdb(url);
	if (PQstatus(p->c) != CONNECTION_OK) {
		set_err(p, NULL);
		err_set(e, _("cannot connect to PostgreSQL at '%s': %s"), p->base.where, p->err);
		db_close(&p->base);
		return NULL;
	}
	PQsetNoticeProcessor(p->c, quiet, NULL);
	PQclear(PQexec(p->c, "SET TIME ZONE 'UTC'"));
	return &p->base;
}

/* Is s a postgresql:// or postgres:// URL? */
int db_is_pg_url(const char *s)
{
	return db_is_url(s);
}

/* Let db_open() open PostgreSQL URLs. */
void db_pg_register(void)
{
	db_pg_open = open_pg;
}
