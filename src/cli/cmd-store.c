/* cmd-store.c: commands on the workstation database: sample import, doctor, interview. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <sys/stat.h>

#include "cati/i18n.h"
#include "cati/session.h"
#include "cati/store.h"
#include "cli.h"

/* The database's path: db (--db PATH), else $CATI_DB, else the default place. */
static void db_path(const char *db, struct buf *out)
{
	const char *env = getenv("CATI_DB");

	if (db)
		buf_puts(out, db);
	else if (env && *env)
		buf_puts(out, env);
	else
		store_default_path(out);
}

/* Seconds since 1970 of a UTC calendar time (no timegm in POSIX). */
static long long timegm_utc(const struct tm *tm)
{
	int y = tm->tm_year + 1900, m = tm->tm_mon + 1;
	long long days;

	y -= m <= 2;
	days = (long long)(365 * y + y / 4 - y / 100 + y / 400) + (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 719469;
	return days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

static int64_t fixed_clock(void *ctx)
{
	return *(int64_t *)ctx;
}

/* With a password at hand ($CATI_PASSWORD; the interviewer $CATI_USER, else any whose copy of the
   key it opens), unlock the database's personal data; without, it stays locked. */
static void cli_unlock(struct store *st)
{
	const char *pw = getenv("CATI_PASSWORD"), *who = getenv("CATI_USER");
	struct err e;

	if (!pw || !*pw || !store_locked(st))
		return;
	err_init(&e);
	if (who && *who)
		store_unlock(st, who, pw, &e);
	else
		store_unlock_any(st, pw, &e);
}

/* Open the workstation's database; a command that only reads it never creates it. */
struct store *cli_open_store(const char *db, int must_exist)
{
	struct buf path;
	struct store *st = NULL;
	struct stat sb;
	struct err e;
	enum store_rc rc;

	buf_init(&path);
	db_path(db, &path);
	err_init(&e);
	if (must_exist && stat(buf_str(&path), &sb) < 0)
		fprintf(stderr, _("cati: cannot open database '%s': %s\n"), buf_str(&path),
		        errno == ENOENT ? _("no such file") : strerror(errno));
	else if (!(st = store_open(buf_str(&path), &rc, &e)))
		fprintf(stderr, "cati: %s\n", e.msg);
	else
		cli_unlock(st);
	if (st && getenv("CATI_NOW") && *getenv("CATI_NOW")) {
		/* a fixed clock, for tests and rehearsals: CATI_NOW=2026-03-02T10:00:00Z */
		static int64_t fixed;
		struct tm tm;
		int n = 0;
		memset(&tm, 0, sizeof tm);
		if (sscanf(getenv("CATI_NOW"), "%d-%d-%dT%d:%d:%dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		           &tm.tm_min, &tm.tm_sec, &n) != 6 || getenv("CATI_NOW")[n]) {
			fprintf(stderr, _("cati: CATI_NOW must look like 2026-03-02T10:00:00Z\n"));
			store_close(st);
			st = NULL;
		} else {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			fixed = (int64_t)timegm_utc(&tm) * 1000;
			store_set_clock(st, fixed_clock, &fixed);
		}
	}
	buf_release(&path);
	return st;
}

static const char sample_usage[] =
	N_("usage: cati sample import FILE.csv --form FORM [--dnc refuse|flag] [--db PATH]\n"
	"       (a number on the do-not-call list: the import refused, or with flag its case imported, never offered)\n"
	"       cati sample example FORM [-n N] [--seed S]\n");

/* cati sample import FILE.csv --form FORM: import cases, all or nothing. */
int cmd_sample(int argc, char **argv)
{
	static const struct option longs[] = { { "form", required_argument, NULL, 'f' },
		                                { "dnc", required_argument, NULL, 'd' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 } };
	const char *csv = NULL, *form_path = NULL, *db = NULL, *dnc = "refuse";
	struct store *st;
	struct form *f;
	struct form_diags d;
	struct buf problems;
	struct err e;
	char *source;
	size_t len;
	int64_t row;
	long n = 0, listed = 0;
	int c, rc;

	if (argc >= 2 && !strcmp(argv[1], "example"))
		return cmd_sample_example(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(_(sample_usage), stdout);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "import")) {
		fputs(_(sample_usage), stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati sample import", _(sample_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'f': form_path = optarg; break;
		case 'd': dnc = optarg; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind == argc - 1)
		csv = argv[optind];
	if (!csv || !form_path || (strcmp(dnc, "refuse") && strcmp(dnc, "flag"))) {
		fputs(_(sample_usage), stderr);
		return EXIT_USAGE;
	}
	if (!(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	err_init(&e);
	source = read_file(form_path, &len, &e);
	if (!source) {
		fprintf(stderr, "cati: %s\n", e.msg);
		store_close(st);
		return EXIT_USAGE;
	}
	form_diags_init(&d);
	f = form_compile(form_path, source, len, &d);
	if (!f) {
		buf_init(&problems);
		form_diags_format(&d, form_path, &problems);
		fputs(buf_str(&problems), stderr);
		buf_release(&problems);
		form_diags_release(&d);
		free(source);
		store_close(st);
		return EXIT_FAIL;
	}
	form_diags_release(&d);
	rc = EXIT_OK;
	if (store_begin(st, &e) != STORE_OK || store_form_put(st, f, source, &row, &e) != STORE_OK ||
	    store_commit(st, &e) != STORE_OK) {
		store_rollback(st);
		fprintf(stderr, "cati: %s\n", e.msg);
		rc = EXIT_USAGE;
	}
	buf_init(&problems);
	if (rc == EXIT_OK && store_sample_import_dnc(st, csv, f, !strcmp(dnc, "flag"), &problems, &n, &listed, &e) != STORE_OK) {
		fputs(buf_str(&problems), stderr);
		if (e.set)
			fprintf(stderr, "cati: %s\n", e.msg);
		fprintf(stderr, _("cati: nothing was imported\n"));
		rc = problems.len ? EXIT_FAIL : EXIT_USAGE;
	} else if (rc == EXIT_OK) {
		printf(P_("imported %ld case for %s (version %s) from %s\n", "imported %ld cases for %s (version %s) from %s\n",
		          n),
		       n, f->id, f->version, csv);
		if (listed)
			printf(P_("%ld of them with a number on the do-not-call list: never offered\n",
			          "%ld of them with a number on the do-not-call list: never offered\n", listed), listed);
	}
	buf_release(&problems);
	form_free(f);
	free(source);
	store_close(st);
	return rc;
}

static const char doctor_usage[] =
	N_("usage: cati doctor [--db PATH]   check the database's integrity\n"
	   "       cati doctor --sql QUERY [--db PATH]   read the database, personal data unsealed\n"
	   "       cati doctor --plain-copy FILE [--db PATH]   a copy with personal data in clear (handle with care)\n"
	   "       (with the password in $CATI_PASSWORD; the interviewer in $CATI_USER or any)\n");

/* cati doctor: the database's integrity; an absent database is reported, not made. */
int cmd_doctor(int argc, char **argv)
{
	static const struct option longs[] = { { "sql", required_argument, NULL, 'q' },
		                                { "plain-copy", required_argument, NULL, 'P' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 } };
	const char *db = NULL, *sql = NULL, *plain = NULL;
	struct store *st;
	struct buf out;
	struct err e;
	enum store_rc rc;
	int c;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati doctor", _(doctor_usage))) != -1;) {
		if (c == 'h')
			return EXIT_OK;
		if (c == 'q')
			sql = optarg;
		else if (c == 'P')
			plain = optarg;
		else if (c == 'D')
			db = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind != argc) {
		fputs(_(doctor_usage), stderr);
		return EXIT_USAGE;
	}
	if (!(st = cli_open_store(db, 1)))
		return EXIT_USAGE;
	buf_init(&out);
	err_init(&e);
	rc = plain ? store_plain_copy(st, plain, &e) : sql ? store_query(st, sql, &out, &e) : store_doctor(st, &out, &e);
	fputs(buf_str(&out), stdout);
	if (e.set)
		fprintf(stderr, "cati: %s\n", e.msg);
	buf_release(&out);
	store_close(st);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}

/* One line describing the screen, for scripts: "@ question ID ITER TYPE ..." */
static void print_screen(struct eng *eng)
{
	const struct eng_screen *sc = eng_screen(eng);
	int i;

	if (sc->kind == ENG_SCREEN_END) {
		printf("@ end %s call_outcome=%s\n", sc->complete ? "complete" : sc->outcome, sc->call_outcome);
	} else if (sc->kind == ENG_SCREEN_CHECK) {
		printf("@ check %s %s\n", sc->hard ? "hard" : "soft", sc->message);
	} else {
		printf("@ question %s %d %s", sc->qid, sc->iter, form_qtype_name(sc->qtype));
		if (sc->nchoices) {
			printf(" choices=");
			for (i = 0; i < sc->nchoices; i++)
				printf("%s%d%s", i ? "," : "", sc->choices[i].code,
				       sc->choices[i].flags & FORM_C_EXCLUSIVE ? "x" : "");
		}
		if (sc->qtype == FORM_Q_GRID)
			printf(" items=%d", sc->nitems);
		if (sc->qtype == FORM_Q_MULTI)
			printf(" min=%d max=%d", sc->minsel, sc->maxsel);
		if (sc->has_range) {
			if (sc->qtype == FORM_Q_DATE) {
				char lo[11], hi[11];
				form_date_format(sc->lo, lo);
				form_date_format(sc->hi, hi);
				printf(" range=%s..%s", lo, hi);
			} else {
				printf(" range=%g..%g", sc->lo, sc->hi);
			}
		}
		if (sc->qtype == FORM_Q_TEXT)
			printf(" max=%d", sc->maxlen);
		if (sc->allow & FORM_F_DK)
			printf(" dk");
		if (sc->allow & FORM_F_RF)
			printf(" rf");
		if (sc->answered)
			printf(" answered=%s", sc->state == FORM_S_OK ? sc->value : sc->state == FORM_S_DK ? "dk" : "rf");
		printf("\n");
	}
	fflush(stdout);
}

static const char *interview_usage =
	N_("usage: cati interview --case KEY --interviewer ID [--lang L] [--db PATH]\n"
	"commands on standard input, one per line:\n"
	"  a VALUE     answer the question (a code, 1,3, a number, a date, text, dk, rf)\n"
	"  n           next (keep the answer shown)     b   back\n"
	"  j ID [N]    jump to an asked question        r   go to the first unanswered\n"
	"  c           confirm a soft check             l LANG   switch language\n"
	"  s REASON    suspend and stop                 q   stop (the interview stays open)\n");

/* cati interview: an interview driven by commands on standard input. */
int cmd_interview(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "case", required_argument, NULL, 'c' }, { "interviewer", required_argument, NULL, 'i' },
		{ "lang", required_argument, NULL, 'l' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	const char *key = NULL, *who = NULL, *lang = NULL, *db = NULL;
	struct store *st;
	struct session *s;
	struct err e;
	char line[4096];
	int c, resumed;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati interview", _(interview_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'c': key = optarg; break;
		case 'i': who = optarg; break;
		case 'l': lang = optarg; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (!key || !who || optind != argc) {
		fputs(_(interview_usage), stderr);
		return EXIT_USAGE;
	}
	if (!(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	err_init(&e);
	s = session_open(st, key, who, lang, &resumed, &e);
	if (!s) {
		fprintf(stderr, "cati: %s\n", e.msg);
		store_close(st);
		return EXIT_FAIL;
	}
	printf(resumed ? _("resumed interview %s of case %s\n") : _("started interview %s of case %s\n"),
	       session_interview(s)->uuid, key);
	{
		/* who to ask for; locked (no password at hand): said so */
		struct store_case cs;
		err_init(&e);
		if (store_case_get(st, key, &cs, &e) == STORE_OK)
			printf(_("respondent: %s, %s\n"), cs.name ? cs.name : cs.phone ? "" : _("(log in to see names)"),
			       cs.phone ? cs.phone : _("(log in to see names)"));
		store_case_release(&cs);
	}
	print_screen(session_engine(s));
	while (fgets(line, sizeof line, stdin)) {
		struct eng *eng = session_engine(s);
		char *arg, *nl = strchr(line, '\n');
		enum eng_rc rc = ENG_OK;

		if (nl)
			*nl = '\0';
		if (!line[0])
			continue;
		arg = line[1] == ' ' ? line + 2 : line + 1;
		if (line[0] == 'q')
			break;
		if (line[0] == 's') {
			err_init(&e);
			if (session_suspend(s, *arg ? arg : "suspended", &e) != STORE_OK) {
				printf("error: %s\n", e.msg);
				fflush(stdout);
				continue;
			}
			printf("suspended\n");
			break;
		}
		err_init(&e);
		if (session_begin(s, &e) != STORE_OK) {
			printf("error: %s\n", e.msg);
			fflush(stdout);
			continue;
		}
		switch (line[0]) {
		case 'a': rc = eng_answer_text(eng, arg); break;
		case 'n': rc = eng_next(eng); break;
		case 'b': rc = eng_back(eng); break;
		case 'r': rc = eng_resume(eng); break;
		case 'c': rc = eng_confirm(eng); break;
		case 'l': rc = eng_set_lang(eng, form_lang(session_form(s), arg)); break;
		case 'j': {
			char id[FORM_MAX_ID + 1];
			int it = 0;
			if (sscanf(arg, "%64s %d", id, &it) < 1)
				id[0] = '\0';
			rc = eng_jump(eng, id, it);
			break;
		}
		default:
			rc = ENG_DENIED;
			break;
		}
		if (session_commit(s, &e) != STORE_OK) {
			printf("error: %s\n", e.msg);
		} else if (rc == ENG_INVALID || rc == ENG_DENIED) {
			printf("error: %s\n", line[0] && strchr("anbrcljqs", line[0]) ? eng_message(eng) : _("unknown command"));
		} else {
			printf("ok\n");
		}
		print_screen(session_engine(s));
	}
	session_close(s);
	store_close(st);
	return EXIT_OK;
}
