/* check_export.c: the export layer's variables worked out from a form (labels with fills and
 * loop iterations, measurement levels, status and version variables, words in the export
 * language), the values of a row, and numbers written one way. */
#include <check.h>
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/export/export-int.h"
#include "cati/export.h"
#include "cati/form.h"

static const char form_src[] =
	"form t\n"
	"version 3\n"
	"languages en de nl\n"
	"case office\n"
	"scale agree\n"
	"  1 en \"agree\" de \"zustimmen\" nl \"eens\"\n"
	"  2 en \"neutral\" de \"neutral\" nl \"neutraal\"\n"
	"  3 en \"disagree\" de \"ablehnen\" nl \"oneens\"\n"
	"single rating agree dk rf\n"
	"  say en \"Is {office} good?\" de \"Ist {office} gut?\" nl \"Is {office} goed?\"\n"
	"single pick\n"
	"  say en \"Pick\" de \"Wahl\" nl \"Keuze\"\n"
	"  1 en \"a\" de \"a\" nl \"a\"\n"
	"  2 en \"b\" de \"b\" nl \"b\"\n"
	"  3 en \"c\" de \"c\" nl \"c\"\n"
	"multi many\n"
	"  say en \"Many\" de \"Viele\" nl \"Veel\"\n"
	"  1 en \"x\" de \"x\" nl \"x\"\n"
	"  2 en \"y\" de \"y\" nl \"y\"\n"
	"text why dk\n"
	"  say en \"Why?\" de \"Warum?\" nl \"Waarom?\"\n"
	"date day dk rf\n"
	"  say en \"Day?\" de \"Tag?\" nl \"Dag?\"\n"
	"integer n range 0..3\n"
	"  say en \"N?\" de \"N?\" nl \"N?\"\n"
	"loop kid times n max 2\n"
	"  integer age range 0..30\n"
	"    say en \"Age of child {kid}?\" de \"Alter von Kind {kid}?\" nl \"Leeftijd van kind {kid}?\"\n"
	"  integer shoe range 0..50\n"
	"    say en \"Shoe size?\" de \"Schuhgröße?\" nl \"Schoenmaat?\"\n"
	"end\n";

/* The compiled test form (the test frees it). */
static struct form *compile(void)
{
	struct form_diags d;
	struct form *f;

	form_diags_init(&d);
	f = form_compile("t.form", form_src, strlen(form_src), &d);
	ck_assert_msg(f != NULL, "form: %s", d.n ? d.v[0].msg : "");
	form_diags_release(&d);
	return f;
}

/* The variable named name, or fail. */
static const struct exp_var *var(const struct exp_schema *s, const char *name)
{
	int i;

	for (i = 0; i < s->nvars; i++)
		if (!strcmp(s->vars[i].name, name))
			return &s->vars[i];
	ck_abort_msg("no variable '%s'", name);
	return NULL;
}

/* The label of value x of v, or "". */
static const char *value_label(const struct exp_var *v, double x)
{
	int k;

	for (k = 0; k < v->nlabels; k++)
		if (v->labels[k].value == x)
			return v->labels[k].label;
	return "";
}

START_TEST(test_labels_and_levels)
{
	static const struct {
		const char *lang, *rating, *age2, *shoe1, *dk, *chosen, *version;
	} want[] = {
		{ "en", "Is [office] good?", "Age of child 2?", "Shoe size? (1)", "don't know", "chosen", "form version the interview ran on" },
		{ "de", "Ist [office] gut?", "Alter von Kind 2?", "Schuhgröße? (1)", "weiß nicht", "gewählt", "Version des Fragebogens im Interview" },
		{ "nl", "Is [office] goed?", "Leeftijd van kind 2?", "Schoenmaat? (1)", "weet niet", "gekozen", "versie van de vragenlijst van het interview" },
	};
	struct form *f = compile();
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct exp_schema s;

		exp_schema_build(&s, f, form_lang(f, want[i].lang));
		ck_assert_str_eq(var(&s, "rating")->label, want[i].rating);
		ck_assert_str_eq(var(&s, "age_2")->label, want[i].age2);
		ck_assert_str_eq(var(&s, "shoe_1")->label, want[i].shoe1);
		ck_assert_str_eq(value_label(var(&s, "rating"), 1), want[i].lang[0] == 'e' ? "agree" : want[i].lang[0] == 'd' ? "zustimmen" : "eens");
		ck_assert_str_eq(value_label(var(&s, "many_1"), 1), want[i].chosen);
		ck_assert_str_eq(value_label(var(&s, "why_st"), EXP_ST_DK), want[i].dk);
		ck_assert_str_eq(value_label(var(&s, "day_st"), EXP_ST_DK), want[i].dk);
		ck_assert_str_eq(var(&s, "form_version")->label, want[i].version);
		ck_assert_str_eq(exp_word(&s, EXP_W_DK), want[i].dk);
		/* a rating on a named scale is ordinal; a question's own list, texts, options nominal */
		ck_assert_int_eq(var(&s, "rating")->measure, EXP_ORDINAL);
		ck_assert_int_eq(var(&s, "pick")->measure, EXP_NOMINAL);
		ck_assert_int_eq(var(&s, "many_2")->measure, EXP_NOMINAL);
		ck_assert_int_eq(var(&s, "why")->measure, EXP_NOMINAL);
		ck_assert_int_eq(var(&s, "n")->measure, EXP_SCALE);
		ck_assert_int_eq(var(&s, "office")->measure, EXP_NOMINAL);
		/* the status variable follows its text; the number of n has none */
		ck_assert_int_eq((int)(var(&s, "why_st") - var(&s, "why")), 1);
		ck_assert_int_eq(var(&s, "why_st")->src, EXP_S_STATUS);
		exp_schema_release(&s);
	}
	ck_assert_int_eq(exp_words_of("nl-BE"), exp_words_of("nl"));
	ck_assert_int_eq(exp_words_of("fr"), exp_words_of("en"));
	form_free(f);
}
END_TEST

START_TEST(test_row_values)
{
	static const struct exp_answer answers[] = {
		{ "rating", 0, FORM_S_RF, "" },
		{ "why", 0, FORM_S_DK, "" },
		{ "day", 0, FORM_S_OK, "2026-01-02" },
		{ "n", 0, FORM_S_OK, "1" },
		{ "age", 1, FORM_S_OK, "7" },
	};
	struct form *f = compile();
	struct exp_schema s;
	struct exp_interview iv;
	struct exp_value *vals;
	struct arena a;

	exp_schema_build(&s, f, 0);
	memset(&iv, 0, sizeof iv);
	iv.uuid = "u1";
	iv.case_key = "C1";
	iv.form_version = "3";
	iv.nanswers = (int)(sizeof answers / sizeof answers[0]);
	iv.answers = answers;
	vals = calloc((size_t)s.nvars, sizeof *vals);
	arena_init(&a);
	exp_row(&s, &iv, vals, &a);
	ck_assert_str_eq(vals[var(&s, "form_version") - s.vars].str, "3");
	ck_assert(vals[var(&s, "rating") - s.vars].num == EXP_RF_CODE);
	ck_assert_int_eq(vals[var(&s, "rating") - s.vars].state, FORM_S_RF);
	ck_assert_str_eq(vals[var(&s, "why") - s.vars].str, "dk");
	ck_assert_int_eq(vals[var(&s, "why") - s.vars].state, FORM_S_DK);
	ck_assert(vals[var(&s, "why_st") - s.vars].num == EXP_ST_DK);
	ck_assert_int_eq(vals[var(&s, "why_st") - s.vars].state, 0);   /* a valid code */
	ck_assert(vals[var(&s, "day_st") - s.vars].num == EXP_ST_ANSWERED);
	ck_assert(!vals[var(&s, "age_2") - s.vars].present);           /* not asked */
	ck_assert(vals[var(&s, "age_1") - s.vars].num == 7);
	arena_release(&a);
	free(vals);
	exp_schema_release(&s);
	form_free(f);
}
END_TEST

/* What a ReadStat reader saw of one cell: obs row, variable name. */
struct seen {
	int row;
	const char *name;
	int found, tagged, sysmis;
	char tag;
	double num;
	char str[64];
};

/* ReadStat's value callback: keep the cell the test asks about. */
static int on_value(int obs, readstat_variable_t *var, readstat_value_t value, void *ctx)
{
	struct seen *s = ctx;

	if (obs != s->row || strcmp(readstat_variable_get_name(var), s->name))
		return READSTAT_HANDLER_OK;
	s->found = 1;
	s->tagged = readstat_value_is_tagged_missing(value);
	s->sysmis = readstat_value_is_system_missing(value);
	s->tag = s->tagged ? readstat_value_tag(value) : 0;
	if (readstat_value_type(value) == READSTAT_TYPE_STRING)
		snprintf(s->str, sizeof s->str, "%s", readstat_string_value(value) ? readstat_string_value(value) : "");
	else if (!s->tagged && !s->sysmis)
		s->num = readstat_double_value(value);
	return READSTAT_HANDLER_OK;
}

/* ReadStat's variable callback: every variable is read. */
static int on_variable(int index, readstat_variable_t *var, const char *labels, void *ctx)
{
	(void)index, (void)var, (void)labels, (void)ctx;
	return READSTAT_HANDLER_OK;
}

/* Read cell (row, name) of a .sas7bdat or .dta back with ReadStat's own parser. */
static struct seen read_cell(const char *path, int sas, int row, const char *name)
{
	readstat_parser_t *p = readstat_parser_init();
	struct seen s;
	readstat_error_t rc;

	memset(&s, 0, sizeof s);
	s.row = row;
	s.name = name;
	readstat_set_variable_handler(p, on_variable);   /* (ReadStat's Stata reader needs one) */
	readstat_set_value_handler(p, on_value);
	rc = sas ? readstat_parse_sas7bdat(p, path, &s) : readstat_parse_dta(p, path, &s);
	ck_assert_msg(rc == READSTAT_OK, "%s: %s", path, readstat_error_message(rc));
	readstat_parser_free(p);
	ck_assert_msg(s.found, "%s: no cell %d %s", path, row, name);
	return s;
}

/* SAS and Stata written and read back: don't know and refused as the special missing values .A/.B
   (.a/.b), not asked system missing, a text's don't know empty with its status beside it. */
START_TEST(test_sas_and_stata_read_back)
{
	static const struct exp_answer k1[] = {
		{ "rating", 0, FORM_S_DK, "" }, { "why", 0, FORM_S_RF, "" }, { "day", 0, FORM_S_DK, "" },
		{ "n", 0, FORM_S_OK, "0" },
	};
	static const struct exp_answer k2[] = {
		{ "rating", 0, FORM_S_OK, "2" }, { "why", 0, FORM_S_OK, "fine" }, { "n", 0, FORM_S_OK, "1" },
		{ "age", 1, FORM_S_OK, "7" },
	};
	struct form *f = compile();
	struct exp_data d;
	struct exp_interview iv;
	struct err e;
	char dir[] = "/tmp/check-export-XXXXXX", path[128], prog[128], *text;
	size_t k;
	FILE *fp;
	long n;

	ck_assert(mkdtemp(dir) != NULL);
	exp_data_init(&d, f, form_lang(f, "de"));
	memset(&iv, 0, sizeof iv);
	iv.uuid = "u1";
	iv.case_key = "K1";
	iv.form_version = "3";
	iv.nanswers = 4;
	iv.answers = k1;
	exp_data_add(&d, &iv);
	iv.uuid = "u2";
	iv.case_key = "K2";
	iv.answers = k2;
	exp_data_add(&d, &iv);
	for (k = 0; k < 2; k++) {
		int sas = k == 0;
		char dk = sas ? 'A' : 'a';
		struct seen c;

		snprintf(path, sizeof path, "%s/t.%s", dir, sas ? "sas7bdat" : "dta");
		err_init(&e);
		ck_assert_msg(exp_write(&d, sas ? EXP_SAS : EXP_DTA, path, &e) == 0, "%s", e.msg);
		c = read_cell(path, sas, 0, "rating");
		ck_assert_msg(c.tagged && c.tag == dk, "%s rating: tagged %d '%c'", path, c.tagged, c.tag);
		c = read_cell(path, sas, 0, "day");
		ck_assert_msg(c.tagged && c.tag == dk, "%s day: tagged %d '%c'", path, c.tagged, c.tag);
		c = read_cell(path, sas, 1, "day");   /* not asked */
		ck_assert_msg(c.sysmis && !c.tagged, "%s day not asked: sysmis %d tagged %d", path, c.sysmis, c.tagged);
		c = read_cell(path, sas, 0, "why");
		ck_assert_str_eq(c.str, "");
		c = read_cell(path, sas, 0, "why_st");
		ck_assert(c.num == EXP_ST_RF);
		c = read_cell(path, sas, 0, "day_st");
		ck_assert(c.num == EXP_ST_DK);
		c = read_cell(path, sas, 1, "why");
		ck_assert_str_eq(c.str, "fine");
		c = read_cell(path, sas, 1, "rating");
		ck_assert(!c.tagged && c.num == 2);
		c = read_cell(path, sas, 1, "form_version");
		ck_assert_str_eq(c.str, "3");
	}
	/* the SAS program: the formats in German, .A and .B labelled, applied to the data set */
	snprintf(prog, sizeof prog, "%s/t.sas", dir);
	fp = fopen(prog, "r");
	ck_assert(fp != NULL);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc((size_t)n + 1, 1);
	ck_assert(fread(text, 1, (size_t)n, fp) == (size_t)n);
	fclose(fp);
	ck_assert_msg(strstr(text, "    .A = 'weiß nicht'\n    .B = 'verweigert'\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "    3 = 'ablehnen'\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  SET 't.sas7bdat';\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "rating L") != NULL, "%s", text);
	free(text);
	remove(prog);
	remove(path);
	snprintf(path, sizeof path, "%s/t.sas7bdat", dir);
	remove(path);
	rmdir(dir);
	exp_data_release(&d);
	form_free(f);
}
END_TEST

START_TEST(test_numbers_one_way)
{
	static const struct {
		double x;
		const char *want;
	} t[] = {
		{ 0, "0" }, { 240, "240" }, { -8, "-8" }, { 12.5, "12.5" }, { 0.1, "0.1" }, { -0.25, "-0.25" },
		{ 1e16, "10000000000000000" }, { 123456.75, "123456.75" }, { -0.0, "0" }, { 2.0 / 3, "0.666666667" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[64];
		exp_num_plain(t[i].x, out, sizeof out);
		ck_assert_msg(!strcmp(out, t[i].want), "%g written '%s', want '%s'", t[i].x, out, t[i].want);
	}
}
END_TEST

/* Without identities personal case fields and the text question go, the rest stays; pseudonyms
   are stable for a key, differ for another, and replace the case and interview ids of a row. */
START_TEST(test_identities_and_pseudonyms)
{
	static const unsigned char k1[EXP_PSEUDONYM_KEY] = "Jefe";
	static const unsigned char k2[EXP_PSEUDONYM_KEY] = "Jefe2";
	struct exp_opts none = { 0, NULL }, ps = { 0, k1 };
	struct exp_schema s;
	struct exp_value vals[64];
	struct exp_interview iv = { "u-1", "CASE-7", "anna", "en", "complete", "complete", NULL, NULL, "1",
	                            "{\"office\":\"north\"}", 0, NULL };
	struct arena a;
	struct form *f = compile();
	char p1[EXP_PSEUDONYM_LEN + 1], p2[EXP_PSEUDONYM_LEN + 1], again[EXP_PSEUDONYM_LEN + 1];
	int i;

	ck_assert(exp_personal_field("name") && exp_personal_field("Phone_work") && exp_personal_field("email"));
	ck_assert(!exp_personal_field("office") && !exp_personal_field("region"));
	exp_schema_build_opts(&s, f, 0, &none);
	for (i = 0; i < s.nvars; i++)
		ck_assert_msg(strcmp(s.vars[i].question, "why"), "the text question is in an export without identities");
	(void)var(&s, "office");
	(void)var(&s, "rating");
	exp_schema_release(&s);

	exp_pseudonym(k1, "CASE-7", p1);
	exp_pseudonym(k1, "CASE-7", again);
	exp_pseudonym(k2, "CASE-7", p2);
	ck_assert_int_eq((int)strlen(p1), EXP_PSEUDONYM_LEN);
	ck_assert(p1[0] == 'p' && strspn(p1 + 1, "0123456789abcdef") == EXP_PSEUDONYM_LEN - 1);
	ck_assert_str_eq(p1, again);
	ck_assert_str_ne(p1, p2);

	exp_schema_build_opts(&s, f, 0, &ps);
	arena_init(&a);
	ck_assert_int_le(s.nvars, 64);
	exp_row(&s, &iv, vals, &a);
	ck_assert_str_eq(vals[1].str, p1);
	ck_assert(vals[0].str[0] == 'p' && strcmp(vals[0].str, "u-1"));
	arena_release(&a);
	exp_schema_release(&s);
	form_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_labels_and_levels);
	tcase_add_test(tc, test_row_values);
	tcase_add_test(tc, test_sas_and_stata_read_back);
	tcase_add_test(tc, test_numbers_one_way);
	tcase_add_test(tc, test_identities_and_pseudonyms);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
