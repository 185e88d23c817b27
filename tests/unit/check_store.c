/* check_store.c: unit tests of the workstation database: schema, migrations, refusals,
 * history, form-version pinning, sample import errors, credentials, sessions. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cati/calls.h"
#include "cati/session.h"
#include "cati/store.h"
#include "cati/sync.h"

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/cati-store-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *in_dir(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static struct store *open_ok(const char *path)
{
	struct err e;
	enum store_rc rc;
	struct store *st;

	err_init(&e);
	st = store_open(path, &rc, &e);
	ck_assert_msg(st != NULL, "open: %s", e.msg);
	return st;
}

/* A raw query on the file, outside the store: one integer. */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

START_TEST(test_schema)
{
	const char *path = in_dir("sub/folder/a.db");
	struct store *st = open_ok(path);

	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('forms','cases',"
	                               "'interviews','answers','answer_history','events','call_attempts',"
	                               "'appointments','quota_counts','outbox','credentials','notes')"),
	                 12);
	/* WAL stays set in the file */
	ck_assert_int_eq(raw_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	/* reopening is fine and changes nothing */
	st = open_ok(path);
	store_close(st);
}
END_TEST

START_TEST(test_migration_keeps_data)
{
	const char *path = in_dir("old.db");
	struct err e;
	struct store *st;

	err_init(&e);
	ck_assert_int_eq(store_create_at_version(path, 1, &e), 0);
	ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'notes'"), 0);
	raw_exec(path, "INSERT INTO cases(case_key, study, phone, fields, seed, imported_at)"
	               " VALUES ('K1', 's', '+431234567', '{}', 1, 'now')");
	st = open_ok(path);
	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE case_key = 'K1'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'notes'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM pragma_table_info('interviews') WHERE name = 'suspend_reason'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM pragma_table_info('credentials') WHERE name = 'ui_lang'"), 1);
}
END_TEST

/* Schema 8 -> 9: a cached credential keeps its hash and gains an interface language, none yet. */
START_TEST(test_migration_adds_ui_lang)
{
	const char *path = in_dir("v8.db");
	struct err e;
	struct store *st;
	char *lang;

	err_init(&e);
	ck_assert_int_eq(store_create_at_version(path, 8, &e), 0);
	raw_exec(path, "INSERT INTO credentials(interviewer, hash, updated_at) VALUES ('anna', 'h', 'now')");
	st = open_ok(path);
	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	lang = store_cred_lang(st, "anna");
	ck_assert_str_eq(lang, "");
	free(lang);
	ck_assert_int_eq(store_cred_lang_set(st, "anna", "nl", &e), STORE_OK);
	lang = store_cred_lang(st, "anna");
	ck_assert_str_eq(lang, "nl");
	free(lang);
	store_close(st);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM credentials WHERE interviewer = 'anna' AND hash = 'h'"), 1);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	const char *path = in_dir("new.db");
	struct store *st = open_ok(path);
	struct err e;
	enum store_rc rc;
	char *before, *after;
	size_t n1, n2;

	store_close(st);
	raw_exec(path, "PRAGMA user_version = 99");
	raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
	err_init(&e);
	before = read_file(path, &n1, &e);
	st = store_open(path, &rc, &e);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(rc, STORE_NEWER);
	ck_assert_ptr_nonnull(strstr(e.msg, "newer cati (schema 99"));
	after = read_file(path, &n2, &e);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(before, after, n1), 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_foreign_and_damaged_files)
{
	const char *other = in_dir("other.db"), *junk = in_dir("junk.db");
	struct err e;
	enum store_rc rc;

	raw_exec(other, "CREATE TABLE t(x)");
	err_init(&e);
	ck_assert_ptr_null(store_open(other, &rc, &e));
	ck_assert_msg(rc == STORE_CORRUPT, "rc %d: %s", rc, e.msg);
	ck_assert_ptr_nonnull(strstr(e.msg, "another program"));
	write_file(junk, "this is not a database at all, just some text that is long enough to matter....");
	err_init(&e);
	ck_assert_ptr_null(store_open(junk, &rc, &e));
	ck_assert_int_eq(rc, STORE_CORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "damaged or not a cati database"));
}
END_TEST

static const char *const form_v1 =
	"form study\nversion 1\nlanguages en\ncase region scale regions\ncase office\n"
	"scale regions\n 1 \"North\"\n 2 \"South\"\n"
	"single q1\n say \"Satisfied with {office}?\"\n 1 \"yes\"\n 2 \"no\"\n"
	"text q2 if q1 = 2\n say \"Why not?\"\n"
	"integer q3 range 0..99\n say \"Age?\"\n";

static struct form *compile(const char *src)
{
	struct form_diags d;
	struct form *f;

	form_diags_init(&d);
	f = form_compile("t.form", src, strlen(src), &d);
	ck_assert_msg(f != NULL, "%s", d.n ? d.v[0].msg : "");
	form_diags_release(&d);
	return f;
}

/* Publish src into st; returns its row. */
static int64_t publish(struct store *st, const struct form *f, const char *src)
{
	struct err e;
	int64_t row;

	err_init(&e);
	ck_assert_int_eq(store_begin(st, &e), STORE_OK);
	ck_assert_int_eq(store_form_put(st, f, src, &row, &e), STORE_OK);
	ck_assert_int_eq(store_commit(st, &e), STORE_OK);
	return row;
}

/* Import csv text; returns the problems text (free it) and sets *rc, *n. */
static char *import(struct store *st, const struct form *f, const char *csv, enum store_rc *rc,
                    long *n)
{
	const char *path = in_dir("s.csv");
	struct buf problems;
	struct err e;

	write_file(path, csv);
	buf_init(&problems);
	err_init(&e);
	*rc = store_sample_import(st, path, f, &problems, n, &e);
	if (e.set)
		buf_printf(&problems, "error: %s\n", e.msg);
	return buf_detach(&problems);
}

static const struct {
	const char *csv;
	const char *want;   /* a fragment, with s.csv:LINE */
	const char *want2;  /* another, reported in the same run, or NULL */
} bad_samples[] = {
	{ "id,phone,region\nK1,+43 1 2345678,1\n", "s.csv:1: form 'study' reads case field 'office', but the file has no column 'office'" },
	{ "phone,region,office\n+4312345678,1,x\n", "s.csv:1: the header has no 'id' column" },
	{ "id,phone,region,office\nK1,+43 1 2345678,1,x\n,+43 1 2345678,1,x\n", "s.csv:3: missing id" },
	{ "id,phone,region,office\nK1,+43 1 2345678,1,x\nK1,+43 1 2345679,2,y\n", "s.csv:3: duplicate id 'K1' (also on line 2)" },
	{ "id,phone,region,office\nK1,12,1,x\n", "s.csv:2: bad phone '12': too few digits" },
	{ "id,phone,region,office\nK1,+43 1 234 567 890 123 456,1,x\n", "s.csv:2: bad phone '+43 1 234 567 890 123 456': too many digits" },
	{ "id,phone,region,office\nK1,0043 abc 1234567,1,x\n", "s.csv:2: bad phone" },
	{ "id,phone,region,office\nK1,+43 1 2345678,7,x\n", "s.csv:2: region: '7' is not a code or label of scale 'regions' (valid: 1 North, 2 South)" },
	{ "id,phone,region,office\nK1,+43 1 2345678,east,x\n", "s.csv:2: region: 'east' is not a code or label of scale 'regions' (valid: 1 North, 2 South)" },
	{ "id,phone,region,office\nK1,+43 1 2345678,1.5,x\n", "s.csv:2: region: '1.5' is not a code or label" },
	/* a header problem and a row problem in one run */
	{ "id,phone,region\nK1,+43 1 2345678,east\n", "s.csv:1: form 'study' reads case field 'office', but the file has no column 'office'", "s.csv:2: region: 'east'" },
	{ "phone,region,office\n12,1,x\n", "s.csv:1: the header has no 'id' column", "s.csv:2: bad phone '12'" },
	{ "id,phone,region,office\nK1,+43 1 2345678,1\n", "s.csv:2: 3 fields, but the header has 4" },
	{ "id,phone,region,office,tz\nK1,+43 1 2345678,1,x,Mars/Olympus\n", "s.csv:2: tz 'Mars/Olympus': unknown time zone" },
	{ "id,phone,region,office\nK1,+43 1 2345678,1,\"x\nK2,+43 1 2345678,1,y\n", "s.csv:2: a quoted field is not closed" },
	{ "id,phone,id,office,region\n", "s.csv:1: column 'id' appears twice" },
	{ "", "s.csv:1: the file is empty" },
	{ "id,phone,region,office\nK1,+43 1 2345678,1,caf\xc3\n", "s.csv:2: invalid UTF-8" },
};

START_TEST(test_sample_errors)
{
	struct store *st = open_ok(in_dir("c.db"));
	struct form *f = compile(form_v1);
	enum store_rc rc;
	long n = -1;
	char *p;

	publish(st, f, form_v1);
	p = import(st, f, bad_samples[_i].csv, &rc, &n);
	ck_assert_int_ne(rc, STORE_OK);
	ck_assert_msg(strstr(p, bad_samples[_i].want) != NULL, "want '%s', got:\n%s", bad_samples[_i].want, p);
	ck_assert_msg(!bad_samples[_i].want2 || strstr(p, bad_samples[_i].want2), "want '%s', got:\n%s",
	              bad_samples[_i].want2, p);
	free(p);
	store_close(st);
	/* nothing imported */
	ck_assert_int_eq(raw_int(in_dir("c.db"), "SELECT count(*) FROM cases"), 0);
	form_free(f);
}
END_TEST

/* A coded field with labels in two languages and short names, as a German sample writes it. */
static const char *const form_regions =
	"form ex\nversion 1\nlanguages de en\ncase region scale regions\n"
	"scale regions\n"
	" 1 de \"Wien\" en \"Vienna\" short W\n"
	" 2 de \"Niederösterreich\" en \"Lower Austria\" short NOE\n"
	" 3 de \"Oberösterreich\" en \"Upper Austria\" short OOE\n"
	" 4 de \"Kärnten\" en \"Carinthia\" short K\n"
	" 12 de \"Ausland\" en \"abroad\" short X\n"
	"yesno q1\n say de \"Ja?\" en \"Yes?\"\n";

/* The next number of a small reproducible random source. */
static unsigned prop_rnd(unsigned long long *r)
{
	*r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(*r >> 33);
}

/* text with each letter's case drawn at random (ASCII and the umlauts ä ö ü), into out. */
static void random_case(unsigned long long *r, const char *text, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)text;

	for (; *p; p++) {
		if (p[0] == 0xC3 && p[1]) {
			/* ä ö ü (C3 A4 B6 BC) and Ä Ö Ü (C3 84 96 9C) differ by 0x20 */
			buf_putc(out, (char)p[0]);
			buf_putc(out, (char)(prop_rnd(r) % 2 ? (p[1] | 0x20) : (p[1] & ~0x20)));
			p++;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			buf_putc(out, (char)(prop_rnd(r) % 2 ? (*p | 0x20) : (*p & ~0x20)));
		} else {
			buf_putc(out, (char)*p);
		}
	}
}

/*
 * Property: a file whose coded column mixes codes, German and English labels and short names,
 * in random case with stray spaces, imports the same codes as the file with the codes alone.
 */
START_TEST(test_sample_labels_property)
{
	static const int codes[] = { 1, 2, 3, 4, 12 };
	static const char *const names[][3] = {
		{ "Wien", "Vienna", "W" }, { "Niederösterreich", "Lower Austria", "NOE" },
		{ "Oberösterreich", "Upper Austria", "OOE" }, { "Kärnten", "Carinthia", "K" },
		{ "Ausland", "abroad", "X" },
	};
	struct store *st = open_ok(in_dir("p.db"));
	struct form *f = compile(form_regions);
	unsigned long long r = 20261202;
	int trial, row;

	publish(st, f, form_regions);
	for (trial = 0; trial < 25; trial++) {
		struct buf pure, mixed;
		int chosen[40];
		enum store_rc rc;
		long n;
		char *p;

		buf_init(&pure);
		buf_init(&mixed);
		buf_puts(&pure, "id,phone,region\n");
		buf_puts(&mixed, "\xEF\xBB\xBFid;phone;region\r\n");
		for (row = 0; row < 40; row++) {
			int k = (int)(prop_rnd(&r) % 5), how = (int)(prop_rnd(&r) % 4);
			chosen[row] = codes[k];
			buf_printf(&pure, "P%d_%d,+43 1 555%04d,%d\n", trial, row, row, codes[k]);
			buf_printf(&mixed, "M%d_%d;+43 1 555%04d;\"%s", trial, row, row, prop_rnd(&r) % 3 ? "" : " ");
			if (how == 3)
				buf_printf(&mixed, "%d", codes[k]);
			else
				random_case(&r, names[k][how], &mixed);
			buf_printf(&mixed, "%s\"\r\n", prop_rnd(&r) % 3 ? "" : "  ");
		}
		p = import(st, f, buf_str(&pure), &rc, &n);
		ck_assert_msg(rc == STORE_OK, "trial %d, pure codes: %s", trial, p);
		free(p);
		p = import(st, f, buf_str(&mixed), &rc, &n);
		ck_assert_msg(rc == STORE_OK, "trial %d: %s\nfile:\n%s", trial, p, buf_str(&mixed));
		ck_assert_int_eq(n, 40);
		free(p);
		for (row = 0; row < 40; row++) {
			struct store_case a, b;
			struct err e;
			char key[32];

			err_init(&e);
			snprintf(key, sizeof key, "P%d_%d", trial, row);
			ck_assert_int_eq(store_case_get(st, key, &a, &e), STORE_OK);
			snprintf(key, sizeof key, "M%d_%d", trial, row);
			ck_assert_int_eq(store_case_get(st, key, &b, &e), STORE_OK);
			ck_assert_int_eq(a.nfields, 1);
			ck_assert_int_eq(b.nfields, 1);
			ck_assert_int_eq(strtol(a.values[0], NULL, 10), chosen[row]);
			ck_assert_msg(!strcmp(a.values[0], b.values[0]), "trial %d row %d: %s vs %s", trial, row,
			              a.values[0], b.values[0]);
			store_case_release(&a);
			store_case_release(&b);
		}
		buf_release(&pure);
		buf_release(&mixed);
	}
	store_close(st);
	form_free(f);
}
END_TEST

START_TEST(test_sample_ok_and_all_errors_listed)
{
	struct store *st = open_ok(in_dir("c.db"));
	struct form *f = compile(form_v1);
	struct store_case c;
	struct err e;
	enum store_rc rc;
	long n = 0;
	char *p;
	int i;

	publish(st, f, form_v1);
	/* semicolons, quotes with commas and newlines, a BOM, CRLF, extra columns */
	p = import(st, f, "\xEF\xBB\xBFid;phone;name;region;office;extra\r\n"
	                  "K1;+43 1 2345678;\"Huber; Anna\";1;\"Wien \"\"Mitte\"\"\";x\r\n"
	                  "K2;0664 123 4567;\"two\nlines\";2;Linz;y\r\n\r\n", &rc, &n);
	ck_assert_msg(rc == STORE_OK, "%s", p);
	free(p);
	ck_assert_int_eq(n, 2);
	err_init(&e);
	ck_assert_int_eq(store_case_get(st, "K1", &c, &e), STORE_OK);
	ck_assert_str_eq(c.name, "Huber; Anna");
	ck_assert_str_eq(c.phone, "+43 1 2345678");
	ck_assert_str_eq(c.study, "study");
	for (i = 0; i < c.nfields; i++)
		if (!strcmp(c.names[i], "office"))
			ck_assert_str_eq(c.values[i], "Wien \"Mitte\"");
	store_case_release(&c);
	/* an id already in the database is refused, and every bad line is listed */
	p = import(st, f, "id,phone,region,office\nK1,+43 1 2345678,1,x\nK3,1,1,x\nK4,+43 1 2345678,9,x\n", &rc, &n);
	ck_assert_int_ne(rc, STORE_OK);
	ck_assert_ptr_nonnull(strstr(p, "s.csv:2: id 'K1' is already in the database"));
	ck_assert_ptr_nonnull(strstr(p, "s.csv:3: bad phone"));
	ck_assert_ptr_nonnull(strstr(p, "s.csv:4: region"));
	free(p);
	store_close(st);
	ck_assert_int_eq(raw_int(in_dir("c.db"), "SELECT count(*) FROM cases"), 2);
	form_free(f);
}
END_TEST

START_TEST(test_history_and_pinning)
{
	const char *path = in_dir("h.db");
	struct store *st = open_ok(path);
	struct form *f1 = compile(form_v1), *f2;
	char *v2 = xstrdup(form_v1), *p, *val;
	struct session *s;
	struct err e;
	enum store_rc rc;
	enum form_vstate state;
	long n;
	int resumed, on;
	int64_t row1, row2;

	row1 = publish(st, f1, form_v1);
	p = import(st, f1, "id,phone,region,office\nK1,+43 1 2345678,1,Wien\nK2,+43 1 2345679,2,Graz\n", &rc, &n);
	ck_assert_int_eq(rc, STORE_OK);
	free(p);
	err_init(&e);
	s = session_open(st, "K1", "iv7", NULL, &resumed, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(resumed, 0);
	ck_assert_str_eq(eng_screen(session_engine(s))->text, "Satisfied with Wien?");
	session_begin(s, &e);
	ck_assert_int_eq(eng_answer_text(session_engine(s), "2"), ENG_OK);
	ck_assert_int_eq(session_commit(s, &e), STORE_OK);
	session_begin(s, &e);
	eng_answer_text(session_engine(s), "too slow");
	session_commit(s, &e);
	/* change q1: q2 goes off route, and the history has both values */
	session_begin(s, &e);
	eng_jump(session_engine(s), "q1", 0);
	eng_answer_text(session_engine(s), "1");
	ck_assert_int_eq(session_commit(s, &e), STORE_OK);
	ck_assert_int_eq(store_answer_get(st, session_interview(s)->id, "q2", 0, &state, &val, &on, &e), STORE_OK);
	ck_assert_str_eq(val, "too slow");
	ck_assert_int_eq(on, 0);
	free(val);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM answer_history WHERE qid = 'q1' AND who = 'iv7'"), 2);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM answer_history WHERE qid = 'q1' AND old_value = '2' AND new_value = '1'"), 1);
	session_close(s);

	/* a new version of the form is published mid-fieldwork */
	v2 = xrealloc(v2, strlen(v2) + 64);
	strcat(v2, "yesno q4\n say \"New question?\"\n");
	p = strstr(v2, "version 1");
	p[8] = '2';
	f2 = compile(v2);
	row2 = publish(st, f2, v2);
	ck_assert_int_ne(row1, row2);
	/* the running interview keeps version 1 and resumes where it stopped */
	s = session_open(st, "K1", "iv7", NULL, &resumed, &e);
	ck_assert_int_eq(resumed, 1);
	ck_assert_int_eq(session_interview(s)->form_row, row1);
	ck_assert_str_eq(session_form(s)->version, "1");
	ck_assert_str_eq(eng_screen(session_engine(s))->qid, "q3");
	session_begin(s, &e);
	eng_answer_text(session_engine(s), "40");
	ck_assert_int_eq(session_commit(s, &e), STORE_OK);
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_COMPLETE);
	session_close(s);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM interviews WHERE status = 'complete' AND ended_at IS NOT NULL"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE case_key = 'K1' AND status = 'done'"), 1);
	/* a done case is not opened again */
	ck_assert_ptr_null(session_open(st, "K1", "iv7", NULL, &resumed, &e));
	/* a new interview gets version 2 */
	err_init(&e);
	s = session_open(st, "K2", "iv7", NULL, &resumed, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(session_interview(s)->form_row, row2);
	session_close(s);
	ck_assert_int_gt(store_outbox_pending(st), 0);
	store_close(st);
	free(v2);
	form_free(f1);
	form_free(f2);
}
END_TEST

static const char *const form_end =
	"form study\nversion 1\nlanguages en\ncase region scale regions\ncase office\n"
	"scale regions\n 1 \"North\"\n 2 \"South\"\n"
	"single q1\n say \"Now?\"\n 1 \"yes\"\n 2 \"no\"\n 3 \"never\"\n"
	"screenout not_now if q1 = 2\n say \"Goodbye.\"\n"
	"screenout refused if q1 = 3 outcome refusal\n say \"Goodbye.\"\n"
	"integer q3 range 0..99\n say \"Age?\"\n";

static int64_t test_now_ms;

static int64_t test_clock(void *ctx)
{
	(void)ctx;
	return test_now_ms;
}

/* One interviewer action through the session API: a typed answer, "back", or "suspend". */
static void act(struct session *s, const char *what)
{
	struct err e;

	err_init(&e);
	test_now_ms += 60000;
	ck_assert_int_eq(session_begin(s, &e), STORE_OK);
	if (!strcmp(what, "back"))
		ck_assert_int_eq(eng_back(session_engine(s)), ENG_OK);
	else
		ck_assert_int_eq(eng_answer_text(session_engine(s), what), ENG_OK);
	ck_assert_msg(session_commit(s, &e) == STORE_OK, "%s", e.msg);
}

/* A count from the file, read by a second connection (as after a kill), for case key. */
static long long case_int(const char *path, const char *key, const char *sql_where)
{
	char sql[1024];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id"
	                          " WHERE c.case_key = '%s' AND (%s)", key, sql_where);
	return raw_int(path, sql);
}

START_TEST(test_end_records_attempt)
{
	const char *path = in_dir("end.db");
	struct store *st = open_ok(path);
	struct form *f = compile(form_end);
	struct session *s;
	struct err e;
	enum store_rc rc;
	long n;
	int resumed;
	char *p;

	test_now_ms = 1772445600000LL;   /* 2026-03-02T10:00:00Z */
	store_set_clock(st, test_clock, NULL);
	publish(st, f, form_end);
	p = import(st, f, "id,phone,region,office\nK1,+43 1 2345678,1,Wien\nK2,+43 1 2345679,2,Graz\n"
	                  "K3,+43 1 2345670,1,Linz\n", &rc, &n);
	ck_assert_int_eq(rc, STORE_OK);
	free(p);
	err_init(&e);

	/* the commit that completes the interview holds its call: a second reader sees it at once */
	s = session_open(st, "K1", "iv7", NULL, &resumed, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	act(s, "1");
	act(s, "40");
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_COMPLETE);
	ck_assert_int_eq(case_int(path, "K1", "1"), 1);
	ck_assert_int_eq(case_int(path, "K1", "a.outcome = 'complete' AND a.disposition = '1.1' AND a.interviewer = 'iv7'"
	                                      " AND a.phone = '+43 1 2345678' AND a.interview = (SELECT max(id) FROM interviews)"
	                                      " AND a.at = (SELECT ended_at FROM interviews WHERE status = 'complete')"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT attempts FROM cases WHERE case_key = 'K1'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT disposition = '1.1' AND status = 'done' FROM cases WHERE case_key = 'K1'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind = 'attempt' AND json_extract(payload, '$.case') = 'K1'"), 1);
	/* back from the ending and finishing again with the same ending: still the one call */
	act(s, "back");
	ck_assert_int_eq(case_int(path, "K1", "1"), 1);
	act(s, "41");
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_COMPLETE);
	ck_assert_int_eq(case_int(path, "K1", "a.outcome = 'complete'"), 1);
	ck_assert_int_eq(case_int(path, "K1", "1"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT attempts FROM cases WHERE case_key = 'K1'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind = 'attempt' AND json_extract(payload, '$.case') = 'K1'"), 1);
	session_close(s);

	/* the ending changes after going back: the one attempt takes the new outcome, synced again */
	s = session_open(st, "K2", "iv7", NULL, &resumed, &e);
	ck_assert_ptr_nonnull(s);
	act(s, "2");
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_SCREENED_OUT);
	ck_assert_int_eq(case_int(path, "K2", "a.outcome = 'screened_out' AND a.disposition = '4.70'"), 1);
	/* one screen-out for another, without the interview ever going on */
	act(s, "back");
	act(s, "3");
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_SCREENED_OUT);
	ck_assert_int_eq(case_int(path, "K2", "1"), 1);
	ck_assert_int_eq(case_int(path, "K2", "a.outcome = 'refusal' AND a.disposition = '2.112'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM interviews WHERE outcome = 'refused' AND status = 'screenout'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT disposition = '2.112' AND status = 'done' FROM cases WHERE case_key = 'K2'"), 1);
	act(s, "back");
	act(s, "1");
	act(s, "35");
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_COMPLETE);
	ck_assert_int_eq(case_int(path, "K2", "1"), 1);
	ck_assert_int_eq(case_int(path, "K2", "a.outcome = 'complete' AND a.disposition = '1.1'"
	                                      " AND a.at = (SELECT ended_at FROM interviews i WHERE i.id = a.interview)"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT attempts = 1 AND disposition = '1.1' AND last_outcome = 'complete'"
	                               " FROM cases WHERE case_key = 'K2'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind = 'attempt' AND json_extract(payload, '$.case') = 'K2'"), 3);
	ck_assert_int_eq(raw_int(path, "SELECT count(DISTINCT json_extract(payload, '$.uuid')) FROM outbox WHERE kind = 'attempt'"
	                               " AND json_extract(payload, '$.case') = 'K2'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT json_extract(payload, '$.outcome') = 'complete' FROM outbox WHERE kind = 'attempt'"
	                               " AND json_extract(payload, '$.case') = 'K2' ORDER BY id DESC LIMIT 1"), 1);
	session_close(s);

	/* reopened, broken off, finished on a later call: the end attempt moves to that call */
	s = session_open(st, "K3", "iv7", NULL, &resumed, &e);
	ck_assert_ptr_nonnull(s);
	act(s, "2");
	act(s, "back");
	ck_assert_int_eq(session_suspend(s, "phone died", &e), STORE_OK);
	ck_assert_int_eq(store_begin(st, &e), STORE_OK);
	ck_assert_int_eq(store_attempt_add(st, session_case(s)->id, "iv7", "+43 1 2345670", "breakoff", &e), STORE_OK);
	ck_assert_int_eq(store_commit(st, &e), STORE_OK);
	session_close(s);
	test_now_ms += 3600000;
	s = session_open(st, "K3", "iv8", NULL, &resumed, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(resumed, 1);
	act(s, "2");
	ck_assert_int_eq(eng_status(session_engine(s)), ENG_SCREENED_OUT);
	session_close(s);
	ck_assert_int_eq(case_int(path, "K3", "1"), 2);
	ck_assert_int_eq(case_int(path, "K3", "a.interview IS NOT NULL AND a.outcome = 'screened_out' AND a.interviewer = 'iv8'"
	                                      " AND a.at > (SELECT at FROM call_attempts b WHERE b.outcome = 'breakoff')"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT attempts = 2 AND disposition = '4.70' AND last_outcome = 'screened_out'"
	                               " AND status = 'done' FROM cases WHERE case_key = 'K3'"), 1);
	/* every finished interview has exactly one end attempt */
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM interviews i WHERE i.status IN ('complete', 'screenout')"
	                               " AND (SELECT count(*) FROM call_attempts a WHERE a.interview = i.id) <> 1"), 0);
	store_close(st);
	form_free(f);
}
END_TEST

/* An interview as an older cati left it: finished, its call never recorded. */
static void old_interview(const char *path, const char *key, const char *status, const char *outcome,
                          const char *ended)
{
	char sql[1024];

	snprintf(sql, sizeof sql,
	         "INSERT INTO interviews(uuid, case_id, form, interviewer, lang, status, outcome, started_at, ended_at, updated_at)"
	         " SELECT lower(hex(randomblob(16))), id, 1, 'old', 'en', '%s', '%s', '%s', '%s', '%s' FROM cases WHERE case_key = '%s';"
	         "UPDATE cases SET status = 'done' WHERE case_key = '%s'",
	         status, outcome, ended, ended, ended, key, key);
	raw_exec(path, sql);
}

START_TEST(test_migration_adds_end_attempts)
{
	const char *path = in_dir("old7.db");
	static const char *const quota_form =
		"form study\nversion 1\nlanguages en\ncase region scale regions\n"
		"scale regions\n 1 \"North\"\n 2 \"South\"\n"
		"quota by_region by region target 5 outcome region_full\n say \"Full.\"\n"
		"single q1\n say \"Now?\"\n 1 \"yes\"\n 2 \"no\"\n"
		"screenout not_now if q1 = 2\n say \"Goodbye.\"\n";
	struct store *st;
	struct err e;
	char sql[2048];

	err_init(&e);
	ck_assert_int_eq(store_create_at_version(path, 7, &e), 0);
	snprintf(sql, sizeof sql, "INSERT INTO forms(form_id, version, hash, source, published_at) VALUES ('study', '1', 'h', '%s', 'x')",
	         quota_form);
	raw_exec(path, sql);
	raw_exec(path, "INSERT INTO cases(case_key, study, phone, fields, seed, imported_at) VALUES"
	               " ('K1', 'study', '+43 1 1', '{}', 1, 'x'), ('K2', 'study', '+43 1 2', '{}', 2, 'x'),"
	               " ('K3', 'study', '+43 1 3', '{}', 3, 'x'), ('K4', 'study', '+43 1 4', '{}', 4, 'x'),"
	               " ('K5', 'study', '+43 1 5', '{}', 5, 'x')");
	old_interview(path, "K1", "complete", "complete", "2026-03-02T10:00:00.000Z");
	old_interview(path, "K2", "screenout", "not_now", "2026-03-02T11:00:00.000Z");
	old_interview(path, "K3", "screenout", "region_full", "2026-03-02T12:00:00.000Z");
	/* K4 was finished in the workstation of old, which recorded the call after the END screen */
	old_interview(path, "K4", "complete", "complete", "2026-03-02T13:00:00.000Z");
	raw_exec(path, "INSERT INTO call_attempts(uuid, case_id, interviewer, at, phone, outcome, disposition)"
	               " SELECT 'u-k4', id, 'old', '2026-03-02T13:00:05.000Z', phone, 'complete', '1.1' FROM cases WHERE case_key = 'K4';"
	               "UPDATE cases SET attempts = 1, disposition = '1.1' WHERE case_key = 'K4'");
	/* K5 is still going */
	raw_exec(path, "INSERT INTO interviews(uuid, case_id, form, interviewer, lang, status, started_at, updated_at)"
	               " SELECT 'u-k5', id, 1, 'old', 'en', 'active', 'x', 'x' FROM cases WHERE case_key = 'K5'");

	st = open_ok(path);
	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	ck_assert_int_eq(case_int(path, "K1", "a.outcome = 'complete' AND a.disposition = '1.1' AND a.interviewer = 'old'"
	                                      " AND a.at = '2026-03-02T10:00:00.000Z' AND a.phone = '+43 1 1' AND a.interview IS NOT NULL"), 1);
	ck_assert_int_eq(case_int(path, "K2", "a.outcome = 'screened_out' AND a.disposition = '4.70'"), 1);
	ck_assert_int_eq(case_int(path, "K3", "a.outcome = 'quota_full' AND a.disposition = '4.80'"), 1);
	ck_assert_int_eq(case_int(path, "K4", "a.uuid = 'u-k4' AND a.interview IS NOT NULL"), 1);
	ck_assert_int_eq(case_int(path, "K4", "1"), 1);
	ck_assert_int_eq(case_int(path, "K5", "1"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE attempts = 1 AND disposition IS NOT NULL"), 4);
	ck_assert_int_eq(raw_int(path, "SELECT disposition = '4.80' AND status = 'done' FROM cases WHERE case_key = 'K3'"), 1);
	/* the calls added go to the central store; the one recorded before was queued then */
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind = 'attempt'"), 3);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox o JOIN call_attempts a ON a.id = o.ref WHERE o.kind = 'attempt'"
	                               " AND json_extract(o.payload, '$.uuid') = a.uuid AND json_extract(o.payload, '$.at') = a.at"), 3);
}
END_TEST

START_TEST(test_credentials)
{
	struct store *st = open_ok(in_dir("cred.db"));
	struct err e;

	err_init(&e);
	ck_assert_int_eq(store_cred_set(st, "iv1", "s3cret pass", &e), STORE_OK);
	ck_assert_int_eq(store_cred_check(st, "iv1", "s3cret pass", &e), STORE_OK);
	err_init(&e);
	ck_assert_int_eq(store_cred_check(st, "iv1", "wrong", &e), STORE_ERROR);
	ck_assert_str_eq(e.msg, "wrong password for 'iv1'");
	err_init(&e);
	ck_assert_int_eq(store_cred_check(st, "nobody", "x", &e), STORE_NOTFOUND);
	store_close(st);
	/* only a hash is stored */
	ck_assert_int_eq(raw_int(in_dir("cred.db"), "SELECT count(*) FROM credentials WHERE hash LIKE '$argon2id$%'"), 1);
}
END_TEST

/* The interface language is kept per interviewer, survives a new password, and needs a credential. */
START_TEST(test_credential_language)
{
	struct store *st = open_ok(in_dir("lang.db"));
	struct err e;
	char *lang;

	err_init(&e);
	ck_assert_int_eq(store_cred_set(st, "iv1", "pw", &e), STORE_OK);
	ck_assert_int_eq(store_cred_set(st, "iv2", "pw", &e), STORE_OK);
	lang = store_cred_lang(st, "iv1");
	ck_assert_str_eq(lang, "");
	free(lang);
	ck_assert_int_eq(store_cred_lang_set(st, "iv1", "de", &e), STORE_OK);
	ck_assert_int_eq(store_cred_lang_set(st, "iv2", "nl", &e), STORE_OK);
	ck_assert_int_eq(store_cred_set(st, "iv1", "new pw", &e), STORE_OK);
	lang = store_cred_lang(st, "iv1");
	ck_assert_str_eq(lang, "de");
	free(lang);
	lang = store_cred_lang(st, "iv2");
	ck_assert_str_eq(lang, "nl");
	free(lang);
	lang = store_cred_lang(st, "nobody");
	ck_assert_str_eq(lang, "");
	free(lang);
	ck_assert_int_eq(store_cred_lang_set(st, "nobody", "de", &e), STORE_NOTFOUND);
	ck_assert_str_eq(e.msg, "unknown interviewer 'nobody'");
	store_close(st);
}
END_TEST

/* Payloads of the outbox batch, joined. */
static void outbox_texts(void *ctx, int64_t id, const char *uuid, const char *kind, const char *payload)
{
	(void)id;
	(void)uuid;
	buf_printf(ctx, "%s %s\n", kind, payload);
}

/* Does the file (path, then path-wal) hold needle anywhere, as bytes? */
static int file_has(const char *path, const char *needle)
{
	char wal[600];
	const char *paths[2] = { path, wal };
	size_t n = strlen(needle);
	int k, found = 0;

	snprintf(wal, sizeof wal, "%s-wal", path);
	for (k = 0; k < 2 && !found; k++) {
		FILE *f = fopen(paths[k], "rb");
		char *b;
		long len;
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		b = xmalloc((size_t)len + 1);
		ck_assert_int_eq((long)fread(b, 1, (size_t)len, f), len);
		fclose(f);
		for (long i = 0; i + (long)n <= len && !found; i++)
			found = !memcmp(b + i, needle, n);
		free(b);
	}
	return found;
}

/* Names seen by store_cases_list, joined by '|'. */
static void list_names(void *ctx, const struct store_case_row *r)
{
	buf_printf(ctx, "%s %s|", r->name, r->phone);
}

/* Personal data is sealed: plain before the first credential, sealed by it (and out of the
   file's bytes); a reopened database is locked until an interviewer's password unlocks it;
   anyone may write sealed data; a colleague's session gives a new interviewer a copy. */
START_TEST(test_sealed_personal_data)
{
	const char *path = in_dir("seal.db");
	struct store *st = open_ok(path);
	struct form *f = compile(form_v1);
	struct store_case c;
	struct session *s;
	struct buf names;
	struct err e;
	enum store_rc rc;
	enum form_vstate state;
	char *p, *val;
	long n;
	int resumed, on;
	int64_t iv;

	publish(st, f, form_v1);
	p = import(st, f, "id,phone,name,region,office\nK1,+43 1 2345678,Erika Muster,1,Wien\nK2,+43 1 2345679,Max Probe,2,Graz\n",
	           &rc, &n);
	ck_assert_int_eq(rc, STORE_OK);
	free(p);
	ck_assert_int_eq(store_locked(st), 0);   /* no key yet: plain */
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE typeof(name) = 'text'"), 2);
	err_init(&e);
	ck_assert_int_eq(store_cred_set(st, "anna", "pw-anna", &e), STORE_OK);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE typeof(name) = 'blob' AND typeof(phone) = 'blob'"), 2);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE fields LIKE '%Erika%'"), 0);
	ck_assert(!file_has(path, "Erika Muster"));
	ck_assert(!file_has(path, "2345678"));
	/* an interview: its text answer sealed in answers, history, events and the outbox */
	s = session_open(st, "K1", "anna", NULL, &resumed, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	act(s, "2");
	act(s, "the counsellor Frau Huber was rude");
	iv = session_interview(s)->id;
	session_close(s);
	ck_assert(!file_has(path, "Frau Huber"));
	ck_assert_int_eq(store_answer_get(st, iv, "q2", 0, &state, &val, &on, &e), STORE_OK);
	ck_assert_str_eq(val, "the counsellor Frau Huber was rude");
	free(val);
	ck_assert_int_eq(store_note_add(st, 1, "anna", "call after six, ask for Erika", &e), STORE_OK);
	store_close(st);
	ck_assert(!file_has(path, "after six"));

	/* reopened: locked; lists say so; the password unlocks */
	st = open_ok(path);
	ck_assert_int_eq(store_locked(st), 1);
	buf_init(&names);
	ck_assert_int_eq(store_cases_list(st, NULL, NULL, 0, list_names, &names, &e), STORE_OK);
	ck_assert_str_eq(buf_str(&names), STORE_LOCKED_TEXT " " STORE_LOCKED_TEXT "|" STORE_LOCKED_TEXT " " STORE_LOCKED_TEXT "|");
	ck_assert_int_eq(store_case_get(st, "K1", &c, &e), STORE_OK);
	ck_assert_ptr_null(c.name);
	store_case_release(&c);
	err_init(&e);
	ck_assert_int_eq(store_answer_get(st, iv, "q2", 0, &state, &val, &on, &e), STORE_ERROR);
	ck_assert_ptr_nonnull(strstr(e.msg, "locked"));
	/* a locked connection writes sealed data all the same */
	err_init(&e);
	ck_assert_int_eq(store_case_put(st, "K9", "study", "+43 1 9999999", "Hilde Neu", NULL, "{\"name\":\"Hilde Neu\"}", &e),
	                 STORE_OK);
	ck_assert_int_eq(store_note_add(st, 2, "anna", "locked note about Max", &e), STORE_OK);
	/* a call copies the case's phone, sealed by another connection: its JSON waits for a key */
	ck_assert_int_eq(store_attempt_add(st, 2, "anna", NULL, "no_answer", &e), STORE_OK);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE payload IS NULL AND kind = 'attempt'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE payload IS NULL"), 1);
	err_init(&e);
	ck_assert_int_eq(store_unlock(st, "anna", "wrong", &e), STORE_ERROR);
	ck_assert_int_eq(store_unlock(st, "ben", "pw-ben", &e), STORE_NOTFOUND);
	ck_assert_int_eq(store_locked(st), 1);
	/* carl's password stored while locked: he logs in, but gets no copy of the key */
	ck_assert_int_eq(store_cred_set(st, "carl", "pw-carl", &e), STORE_OK);
	ck_assert_int_eq(store_cred_check(st, "carl", "pw-carl", &e), STORE_OK);
	ck_assert_int_eq(store_locked(st), 1);
	err_init(&e);
	ck_assert_msg(store_unlock(st, "anna", "pw-anna", &e) == STORE_OK, "%s", e.msg);
	buf_reset(&names);
	ck_assert_int_eq(store_cases_list(st, "erika", NULL, 0, list_names, &names, &e), STORE_OK);
	ck_assert_str_eq(buf_str(&names), "Erika Muster +43 1 2345678|");
	ck_assert_int_eq(store_case_get(st, "K9", &c, &e), STORE_OK);
	ck_assert_str_eq(c.name, "Hilde Neu");
	ck_assert_str_eq(c.phone, "+43 1 9999999");
	store_case_release(&c);
	ck_assert_int_eq(store_case_get(st, "K1", &c, &e), STORE_OK);
	ck_assert_str_eq(c.name, "Erika Muster");
	store_case_release(&c);
	/* the record queued while locked gets its JSON when sent */
	buf_reset(&names);
	ck_assert_int_eq(store_outbox_batch(st, 1000, outbox_texts, &names, &e), STORE_OK);
	ck_assert_ptr_nonnull(strstr(buf_str(&names), "locked note about Max"));
	ck_assert_ptr_nonnull(strstr(buf_str(&names), "Frau Huber"));
	ck_assert_ptr_nonnull(strstr(buf_str(&names), "\"phone\":\"+43 1 2345679\""));
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE payload IS NULL"), 0);
	/* records with personal data are sealed; the others (a coded answer) stay readable */
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind IN ('note', 'attempt') AND typeof(payload) <> 'blob'"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind = 'event' AND typeof(payload) = 'blob'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox WHERE kind = 'event' AND CASE WHEN typeof(payload) = 'text' THEN json_extract(payload, '$.value') END = '2'"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM answers WHERE qid = 'q1' AND value = '2'"), 1);
	/* carl logs in after anna on the same connection: he gets his copy */
	ck_assert_int_eq(store_cred_check(st, "carl", "pw-carl", &e), STORE_OK);
	/* carl's password changed while locked elsewhere: his old copy no longer opens; logging in
	   after a colleague gives him a new one */
	ck_assert_int_eq(store_cred_set(st, "carl", "pw-carl-2", &e), STORE_OK);
	/* a colleague's session gives ben a copy with his password */
	ck_assert_int_eq(store_cred_set(st, "ben", "pw-ben", &e), STORE_OK);
	store_close(st);
	st = open_ok(path);
	err_init(&e);
	ck_assert_msg(store_cred_check(st, "ben", "pw-ben", &e) == STORE_OK, "%s", e.msg);
	ck_assert_int_eq(store_locked(st), 0);
	ck_assert_int_eq(store_answer_get(st, iv, "q2", 0, &state, &val, &on, &e), STORE_OK);
	ck_assert_str_eq(val, "the counsellor Frau Huber was rude");
	free(val);
	store_lock(st);
	ck_assert_int_eq(store_locked(st), 1);
	ck_assert_int_eq(store_unlock(st, "carl", "pw-carl", &e), STORE_ERROR);
	ck_assert_int_eq(store_locked(st), 1);
	ck_assert_int_eq(store_unlock(st, "carl", "pw-carl-2", &e), STORE_OK);
	store_close(st);
	/* changed again, stored while locked: the old copy stays until a colleague's session */
	st = open_ok(path);
	ck_assert_int_eq(store_cred_set(st, "carl", "pw-carl-3", &e), STORE_OK);
	ck_assert_int_eq(store_locked(st), 1);
	ck_assert_int_eq(store_unlock(st, "anna", "pw-anna", &e), STORE_OK);
	ck_assert_int_eq(store_cred_check(st, "carl", "pw-carl-3", &e), STORE_OK);
	store_lock(st);
	ck_assert_int_eq(store_unlock(st, "carl", "pw-carl-3", &e), STORE_OK);
	store_close(st);
	ck_assert(!file_has(path, "Hilde"));
	ck_assert(!file_has(path, "Frau Huber"));
	ck_assert(!file_has(path, "Max"));
	/* a damaged sealed value is refused, not shown */
	{
		sqlite3 *db;
		sqlite3_stmt *q;
		unsigned char blob[512];
		int len;

		ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT value FROM answers WHERE qid = 'q2'", -1, &q, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
		len = sqlite3_column_bytes(q, 0);
		ck_assert(len > 60 && len < (int)sizeof blob);
		memcpy(blob, sqlite3_column_blob(q, 0), (size_t)len);
		sqlite3_finalize(q);
		blob[40] ^= 1;
		ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE answers SET value = ? WHERE qid = 'q2'", -1, &q, NULL), SQLITE_OK);
		sqlite3_bind_blob(q, 1, blob, len, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
		sqlite3_finalize(q);
		sqlite3_close(db);
	}
	st = open_ok(path);
	ck_assert_int_eq(store_unlock(st, "anna", "pw-anna", &e), STORE_OK);
	err_init(&e);
	ck_assert_int_eq(store_answer_get(st, iv, "q2", 0, &state, &val, &on, &e), STORE_ERROR);
	ck_assert_ptr_nonnull(strstr(e.msg, "damaged"));
	store_close(st);
	buf_release(&names);
	form_free(f);
}
END_TEST

/* The workstation's key from the store: exported only while unlocked; a key that does not match
   the public key (a fake store's) is refused and changes nothing; the right one unlocks and
   wraps the interviewer's copy, which opens offline after. */
START_TEST(test_key_from_store)
{
	const char *path = in_dir("keys.db");
	struct store *st = open_ok(path);
	unsigned char sk[STORE_KEY_BYTES], pk[STORE_KEY_BYTES], fake[STORE_KEY_BYTES], pk2[STORE_KEY_BYTES];
	struct store_case c;
	struct err e;

	err_init(&e);
	ck_assert_int_eq(store_key_export(st, sk, pk), STORE_NOTFOUND);   /* no key yet */
	ck_assert_int_eq(store_case_put(st, "K1", "study", "+43 1 2345678", "Erika Muster", NULL, "{}", &e), STORE_OK);
	ck_assert_int_eq(store_cred_set(st, "anna", "pw-anna", &e), STORE_OK);
	ck_assert_int_eq(store_key_export(st, sk, pk), STORE_OK);
	store_close(st);

	/* ben's password cached while locked: no copy; the key export needs the secret */
	st = open_ok(path);
	ck_assert_int_eq(store_key_export(st, fake, pk2), STORE_NOTFOUND);
	ck_assert_int_eq(store_cred_set(st, "ben", "pw-ben", &e), STORE_OK);
	ck_assert_int_eq(store_locked(st), 1);
	/* a fake store's key: random, or the public key sent as the secret */
	memset(fake, 0x5a, sizeof fake);
	err_init(&e);
	ck_assert_int_eq(store_key_import(st, fake, "ben", "pw-ben", &e), STORE_ERROR);
	ck_assert_ptr_nonnull(strstr(e.msg, "public key"));
	err_init(&e);
	ck_assert_int_eq(store_key_import(st, pk, "ben", "pw-ben", &e), STORE_ERROR);
	ck_assert_int_eq(store_locked(st), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM keyring WHERE interviewer = 'ben'"), 0);
	/* the right key: unlocked, and ben's copy kept */
	err_init(&e);
	ck_assert_msg(store_key_import(st, sk, "ben", "pw-ben", &e) == STORE_OK, "%s", e.msg);
	ck_assert_int_eq(store_locked(st), 0);
	ck_assert_int_eq(store_case_get(st, "K1", &c, &e), STORE_OK);
	ck_assert_str_eq(c.name, "Erika Muster");
	store_case_release(&c);
	ck_assert_int_eq(store_key_export(st, fake, pk2), STORE_OK);
	ck_assert(!memcmp(fake, sk, sizeof sk) && !memcmp(pk2, pk, sizeof pk));
	store_close(st);
	/* offline, later: ben's own password opens it */
	st = open_ok(path);
	ck_assert_int_eq(store_unlock(st, "ben", "pw-ben", &e), STORE_OK);
	ck_assert_int_eq(store_locked(st), 0);
	store_close(st);
}
END_TEST

START_TEST(test_busy)
{
	const char *path = in_dir("busy.db");
	struct store *a = open_ok(path), *b;
	struct err e;
	sqlite3 *db;

	/* another program holds the write lock: a clear message after the busy timeout */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	err_init(&e);
	ck_assert_int_eq(store_begin(a, &e), STORE_BUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, "another program is using it"));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	err_init(&e);
	ck_assert_int_eq(store_begin(a, &e), STORE_OK);
	store_rollback(a);
	b = open_ok(path);
	store_close(b);
	store_close(a);
}
END_TEST

/* The push size after each answer, over many random answers: always within its bounds; a slow
   answer never makes it larger, a quick one never smaller; a run of slow answers brings it
   down to the floor, a run of quick ones back up to the maximum. */
START_TEST(test_batch_sizes)
{
	unsigned x = 12345;
	int i, k;

	for (i = 0; i < 100000; i++) {
		int max = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % 1000;
		int n = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % max;
		double took = (double)(((x = x * 1103515245u + 12345u) >> 16) % 3000);
		int lo = max < SYNC_BATCH_MIN ? max : SYNC_BATCH_MIN;
		int next = sync_batch_next(n, took, max);

		ck_assert_int_ge(next, lo);
		ck_assert_int_le(next, max);
		if (took > SYNC_BATCH_SLOW_MS)
			ck_assert(next <= n || next == lo);
		if (took < SYNC_BATCH_QUICK_MS)
			ck_assert_int_ge(next, n < lo ? lo : n);
		if (took >= SYNC_BATCH_QUICK_MS && took <= SYNC_BATCH_SLOW_MS)
			ck_assert_int_eq(next, n < lo ? lo : n);
	}
	for (k = 500, i = 0; i < 10; i++)
		k = sync_batch_next(k, 900, 500);
	ck_assert_int_eq(k, SYNC_BATCH_MIN);
	for (i = 0; i < 10; i++)
		k = sync_batch_next(k, 40, 500);
	ck_assert_int_eq(k, 500);
	ck_assert_int_eq(sync_batch_next(500, 900, 500), 250);
	ck_assert_int_eq(sync_batch_next(10, 900, 10), 10);   /* a configured batch under the floor stays */
}
END_TEST


/* The do-not-call list: a case any of whose numbers is listed (in any notation, once the
   default country reads its national ones) is never offered; the outcome do_not_call lists the
   case's numbers at once; a number taken off the list is offered again. */
START_TEST(test_dnc)
{
	const char *path = in_dir("dnc.db");
	struct store *st = open_ok(path);
	struct form *f = compile(form_end);
	struct store_next_pick pick;
	struct call_rules r;
	struct buf why;
	struct err e;
	enum store_rc rc;
	long n;
	char *p;

	test_now_ms = 1772445600000LL;   /* 2026-03-02T10:00:00Z: Monday 11:00 in Vienna */
	store_set_clock(st, test_clock, NULL);
	publish(st, f, form_end);
	p = import(st, f, "id,phone,region,office\nK1,0664 1234567,1,Wien\nK2,+43 1 2345679; 01 2345670,2,Graz\n", &rc, &n);
	ck_assert_int_eq(rc, STORE_OK);
	free(p);
	err_init(&e);
	calls_rules_default(&r);
	buf_init(&why);
	ck_assert_int_eq(store_dnc_set(st, "+436641234567", 1, &e), STORE_OK);
	/* without a default country K1's national number cannot be matched: offered */
	ck_assert_int_eq(store_next(st, &r, "iv", 0, &pick, NULL, &e), STORE_OK);
	ck_assert_str_eq(pick.key, "K1");
	ck_assert_int_eq(store_country_set(st, "AT", &e), STORE_OK);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM case_phones"), 3);
	ck_assert_int_eq(store_next(st, &r, "iv", 0, &pick, &why, &e), STORE_OK);
	ck_assert_str_eq(pick.key, "K2");
	ck_assert_ptr_nonnull(strstr(buf_str(&why), "1 open case is never offered"));
	/* do not call again on K2: both its numbers listed, nothing left to offer */
	ck_assert_int_eq(store_attempt_add(st, raw_int(path, "SELECT id FROM cases WHERE case_key = 'K2'"), "iv", "+43 1 2345679",
	                                   "do_not_call", &e), STORE_OK);
	{
		char a[33], b[33], sql[200];
		store_phone_digest("+4312345679", a);
		store_phone_digest("+4312345670", b);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM dnc WHERE digest IN ('%s', '%s')", a, b);
		ck_assert_int_eq(raw_int(path, sql), 2);
	}
	ck_assert_int_eq(raw_int(path, "SELECT status = 'refused' AND disposition = '2.112' FROM cases WHERE case_key = 'K2'"), 1);
	ck_assert_int_eq(store_next(st, &r, "iv", 0, &pick, NULL, &e), STORE_NOTFOUND);
	/* taken off the list: K1 is offered again */
	ck_assert_int_eq(store_dnc_set(st, "+436641234567", 0, &e), STORE_OK);
	ck_assert_int_eq(store_next(st, &r, "iv", 0, &pick, NULL, &e), STORE_OK);
	ck_assert_str_eq(pick.key, "K1");
	/* sealed phones: a country change reads them while unlocked, and keeps the digests while locked */
	ck_assert_int_eq(store_cred_set(st, "anna", "pw-anna", &e), STORE_OK);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM cases WHERE typeof(phone) = 'blob'"), 2);
	store_lock(st);
	ck_assert_int_eq(store_country_set(st, "DE", &e), STORE_OK);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM case_phones"), 3);
	ck_assert_int_eq(store_unlock(st, "anna", "pw-anna", &e), STORE_OK);
	ck_assert_int_eq(store_country_set(st, "AT", &e), STORE_OK);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM case_phones"), 3);
	ck_assert_int_eq(store_dnc_set(st, "+436641234567", 1, &e), STORE_OK);
	ck_assert_int_eq(store_next(st, &r, "iv", 0, &pick, NULL, &e), STORE_NOTFOUND);
	buf_release(&why);
	form_free(f);
	store_close(st);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_schema);
	tcase_add_test(tc, test_migration_keeps_data);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_foreign_and_damaged_files);
	tcase_add_loop_test(tc, test_sample_errors, 0, (int)(sizeof bad_samples / sizeof bad_samples[0]));
	tcase_add_test(tc, test_sample_ok_and_all_errors_listed);
	tcase_add_test(tc, test_sample_labels_property);
	tcase_add_test(tc, test_history_and_pinning);
	tcase_add_test(tc, test_end_records_attempt);
	tcase_add_test(tc, test_dnc);
	tcase_add_test(tc, test_migration_adds_end_attempts);
	tcase_add_test(tc, test_credentials);
	tcase_add_test(tc, test_credential_language);
	tcase_add_test(tc, test_migration_adds_ui_lang);
	tcase_add_test(tc, test_sealed_personal_data);
	tcase_add_test(tc, test_key_from_store);
	tcase_add_test(tc, test_busy);
	tcase_add_test(tc, test_batch_sizes);
	suite_add_tcase(s, tc);
	return s;
}


int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
