/* check_form.c: unit tests of the form language: parser, errors, expressions, fills. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/form.h"
#include "genform.h"

#define HDR "form t\nlanguages en de\n"  /* two lines: a test's first statement is line 3 */

/* Compile src; returns the form or NULL; the first error's text in *msg (static). */
static struct form *compile(const char *src, struct form_diags *d)
{
	form_diags_init(d);
	return form_compile("t.form", src, strlen(src), d);
}

/* Assert that src fails with an error at line:col whose message contains want. */
static void expect_error(const char *src, int line, int col, const char *want)
{
	struct form_diags d;
	struct form *f = compile(src, &d);
	int i, found = 0;
	struct buf all;

	buf_init(&all);
	form_diags_format(&d, "t.form", &all);
	for (i = 0; i < d.n; i++)
		if (d.v[i].line == line && d.v[i].col == col && strstr(d.v[i].msg, want))
			found = 1;
	ck_assert_msg(f == NULL, "expected an error for:\n%s", src);
	ck_assert_msg(found, "expected %d:%d: ...%s... but got:\n%s", line, col, want, buf_str(&all));
	buf_release(&all);
	form_diags_release(&d);
}

static struct form *expect_ok(const char *src)
{
	struct form_diags d;
	struct form *f = compile(src, &d);
	struct buf all;

	buf_init(&all);
	form_diags_format(&d, "t.form", &all);
	ck_assert_msg(f != NULL, "expected no errors, got:\n%s", buf_str(&all));
	buf_release(&all);
	form_diags_release(&d);
	return f;
}

static const struct {
	const char *src;
	int line, col;
	const char *msg;
} error_cases[] = {
	/* unknown names */
	{ HDR "single q1 sat6\n say en \"a\" de \"b\"\n", 3, 11, "unknown scale 'sat6'" },
	{ HDR "scale sat6\n 1 en \"a\" de \"b\"\nsingle q1 sat5\n say en \"a\" de \"b\"\n", 5, 11,
	  "did you mean 'sat6'" },
	{ HDR "integer q1\n say en \"a\" de \"b\"\ninteger q2 if q7 > 1\n say en \"a\" de \"b\"\n", 5, 15,
	  "unknown question or field 'q7'" },
	{ HDR "integer age\n say en \"a\" de \"b\"\ninteger q2 if agee > 1\n say en \"a\" de \"b\"\n", 5, 15,
	  "did you mean 'age'" },
	{ HDR "singel q1\n", 3, 1, "did you mean 'single'" },
	{ HDR "integer q1\n say en \"a {q9}\" de \"b\"\n", 3, 1, "unknown question or field 'q9'" },
	{ HDR "integer q1\n say fr \"a\"\n", 4, 6, "'fr' is not one of the form's languages (en de)" },
	/* quotas */
	{ HDR "quota q by sex\n say en \"a\" de \"b\"\nsingle sex\n say en \"a\" de \"b\"\n 1 en \"m\" de \"m\"\n", 3, 1,
	  "quota 'q' needs a target" },
	{ HDR "quota q by sexx target 3\n say en \"a\" de \"b\"\nsingle sex\n say en \"a\" de \"b\"\n 1 en \"m\" de \"m\"\n", 3, 1,
	  "unknown question or field 'sexx'; did you mean 'sex'?" },
	{ HDR "quota q by age target 3\n say en \"a\" de \"b\"\ninteger age\n say en \"a\" de \"b\"\n", 3, 1,
	  "quota 'q': 'age' has no codes" },
	{ HDR "quota q by sex target 3\nsingle sex\n say en \"a\" de \"b\"\n 1 en \"m\" de \"m\"\n", 3, 1,
	  "quota 'q' needs a text to read when the respondent's cell is full" },
	{ HDR "quota q by sex target 3\n cell 1 2 target 4\n say en \"a\" de \"b\"\nsingle sex\n say en \"a\" de \"b\"\n 1 en \"m\" de \"m\"\n", 4, 9,
	  "quota 'q' has 1 variable: a cell gives one code for each" },
	{ HDR "quota q by sex target 3\n cell 3 target 4\n say en \"a\" de \"b\"\nsingle sex\n say en \"a\" de \"b\"\n 1 en \"m\" de \"m\"\n", 4, 1,
	  "cell: 3 is not a code of 'sex'" },
	{ HDR "quota q by sex target 3\n say en \"a\"\nsingle sex\n say en \"a\" de \"b\"\n 1 en \"m\" de \"m\"\n", 3, 1,
	  "no 'de' text" },
	{ HDR "cell 1 target 3\n", 3, 1, "'cell' lines belong to a quota" },
	{ HDR "loop l times 2\n single sex\n  say en \"a\" de \"b\"\n  1 en \"m\" de \"m\"\nend\nquota q by sex target 3\n say en \"a\" de \"b\"\n", 8, 1,
	  "'sex' is asked in loop 'l'" },
	/* duplicates */
	{ HDR "integer q1\n say en \"a\" de \"b\"\ntext q1\n say en \"a\" de \"b\"\n", 5, 6,
	  "'q1' is already defined on line 3" },
	{ HDR "case q1\ninteger q1\n say en \"a\" de \"b\"\n", 4, 9, "already defined on line 3" },
	{ HDR "scale s\n 1 en \"a\" de \"b\"\n 2 en \"c\" de \"d\"\n 1 en \"e\" de \"f\"\n", 6, 2,
	  "duplicate code 1 in scale 's' (first on line 4)" },
	{ HDR "single q\n say en \"a\" de \"b\"\n 3 en \"a\" de \"b\"\n 3 en \"a\" de \"b\"\n", 6, 2,
	  "duplicate code 3" },
	{ HDR "grid g s\n say en \"a\" de \"b\"\n item a en \"x\" de \"y\"\n item a en \"x\" de \"y\"\n"
	  "scale s\n 1 en \"a\" de \"b\"\n", 6, 7, "already has an item 'a'" },
	/* types */
	{ HDR "text t\n say en \"a\" de \"b\"\ninteger q if t = 5\n say en \"a\" de \"b\"\n", 5, 16,
	  "cannot compare or combine a text with a number" },
	{ HDR "integer n\n say en \"a\" de \"b\"\ninteger q if n\n say en \"a\" de \"b\"\n", 5, 14,
	  "a condition must be true or false" },
	{ HDR "integer n\n say en \"a\" de \"b\"\ninteger q if n + 1 and n > 2\n say en \"a\" de \"b\"\n",
	  5, 20, "'and' joins conditions" },
	{ HDR "multi m\n say en \"a\" de \"b\"\n 1 en \"a\" de \"b\"\ninteger q if m = 1\n say en \"a\" de \"b\"\n",
	  6, 16, "test one with 'CODE in m'" },
	{ HDR "single s\n say en \"a\" de \"b\"\n 1 en \"a\" de \"b\"\ninteger q if 1 in s\n say en \"a\" de \"b\"\n",
	  6, 19, "'s' has one answer, not several" },
	{ HDR "integer n\n say en \"a\" de \"b\"\ninteger q if count(n) > 1\n say en \"a\" de \"b\"\n", 5, 14,
	  "count() takes a multiple-choice question" },
	{ HDR "date d\n say en \"a\" de \"b\"\ninteger q if d < 5\n say en \"a\" de \"b\"\n", 5, 16,
	  "cannot compare or combine a date with a number" },
	{ HDR "integer q if foo(1)\n", 3, 14, "unknown function 'foo'" },
	/* order: reading what cannot have been asked yet */
	{ HDR "integer q1 if q2 > 1\n say en \"a\" de \"b\"\ninteger q2\n say en \"a\" de \"b\"\n", 3, 15,
	  "'q2' is asked later (line 5)" },
	{ HDR "integer q1 if q1 > 1\n say en \"a\" de \"b\"\n", 3, 15, "its own answer" },
	{ HDR "integer q1\n say en \"a {q1}\" de \"b\"\n", 3, 1, "its own answer" },
	{ HDR "group g random\ninteger a\n say en \"a\" de \"b\"\ninteger b if a > 1\n say en \"a\" de \"b\"\nend\n",
	  6, 14, "random group 'g'" },
	/* jumps */
	{ HDR "integer q1\n say en \"a\" de \"b\"\nskip to q1\n", 5, 9, "goes backwards" },
	{ HDR "integer q1\n say en \"a\" de \"b\"\nskip to q1 if q1 > 2\ninteger q2\n say en \"a\" de \"b\"\n",
	  5, 9, "skips only jump forward" },
	{ HDR "skip to nowhere\n", 3, 9, "unknown question or group 'nowhere'" },
	{ HDR "skip to b\ngroup g\ninteger b\n say en \"a\" de \"b\"\nend\n", 3, 9,
	  "jump into group 'g'" },
	{ HDR "integer n\n say en \"a\" de \"b\"\nloop l times n\n skip to b\nend\ninteger b\n say en \"a\" de \"b\"\n",
	  6, 10, "out of a loop" },
	{ HDR "group g random\nskip to b\ninteger b\n say en \"a\" de \"b\"\nend\n", 4, 1,
	  "random group cannot contain skips" },
	/* translations and texts */
	{ HDR "integer q1\n say en \"only English\"\n", 3, 1, "no 'de' text for the say of question 'q1'" },
	{ HDR "scale s\n 1 en \"a\"\n", 4, 1, "no 'de' text for choice 1 of scale 's'" },
	{ HDR "integer q1\n say en \"a\" de \"b\" en \"c\"\n", 4, 20, "two 'en' texts" },
	{ HDR "integer q1\n", 3, 1, "has no 'say' text" },
	{ HDR "integer q1\n say en \"unterminated\n", 4, 9, "unterminated string" },
	{ HDR "integer q1\n say en \"bad \\q escape\" de \"x\"\n", 4, 14, "unknown escape" },
	{ HDR "integer q1\n say en \"a {q1\" de \"b\"\n", 3, 1, "'{' without '}'" },
	{ HDR "integer q1\n say \"no language\"\n", 4, 6, "say which language" },
	{ "form t\ntitle en \"x\"\nlanguages en de\n", 2, 1, "no 'de' text for the title" },
	{ "form t\n", 1, 1, "no 'languages' line" },
	{ "languages en\nsingle q\n", 1, 1, "no 'form NAME' line" },
	{ HDR "integer q1\n say en \"caf\xc3\" de \"b\"\n", 4, 13, "invalid UTF-8" },
	/* ranges and options */
	{ HDR "integer q1 range 10..1\n", 3, 18, "the range is empty" },
	{ HDR "integer q1 range 1.5..3\n", 3, 18, "must be a whole number" },
	{ HDR "date d range 2024-02-30..2024-03-01\n", 3, 14, "not a valid date" },
	{ HDR "integer q1 random\n", 3, 12, "'random' does not apply to an integer question" },
	{ HDR "multi m min 3 max 2\n", 3, 1, "min 3 is more than max 2" },
	{ HDR "scale s\n 100000 en \"a\" de \"b\"\n", 4, 2, "choice codes are whole numbers from 0 to 99999" },
	{ HDR "grid g\n", 3, 1, "a grid needs a scale" },
	{ HDR "single q\n say en \"a\" de \"b\"\n", 3, 1, "has no choices" },
	{ HDR "integer q1 if q1 in (3..1)\n", 3, 18, "the range 3..1 is empty" },
	{ HDR "integer q1 if 1 < 2 < 3\n", 3, 21, "comparisons cannot be chained" },
	/* structure */
	{ HDR "end\n", 3, 1, "'end' without an open group or loop" },
	{ HDR "group g\ninteger q\n say en \"a\" de \"b\"\n", 3, 1, "group 'g' has no 'end'" },
	{ HDR "integer n\n say en \"a\" de \"b\"\nloop a times n\nloop b times n\n", 6, 1,
	  "loops cannot be nested" },
	{ HDR "integer n\n say en \"a\" de \"b\"\nloop l times n\n text t\n  say en \"a\" de \"b\"\nend\n"
	  "integer q if len(t) > 1\n say en \"a\" de \"b\"\n", 9, 18, "say which iteration, e.g. t[1]" },
	{ HDR "integer n\n say en \"a\" de \"b\"\nloop l times n\n text t\n  say en \"a\" de \"b\"\nend\n"
	  "integer q if l > 1\n say en \"a\" de \"b\"\n", 9, 14, "iteration number of loop 'l'" },
	{ HDR "say en \"a\" de \"b\"\n", 3, 1, "'say' must follow a question" },
	{ HDR "item x en \"a\" de \"b\"\n", 3, 1, "'item' lines belong to a grid" },
	{ HDR "1 en \"a\" de \"b\"\n", 3, 1, "a choice line" },
	{ HDR "integer single\n", 3, 9, "'single' is a keyword" },
	{ HDR "check hard 1 < 2\n", 3, 1, "a check needs a message" },
	{ "form t\nlanguages en\ngroup g\ninteger q\n say \"a\"\nend\n\"a stray text\"\n", 7, 1, "must continue the text" },
	{ "form t\nlanguages en\ninteger q\n say \"a\"\ncheck hard q < 2\n  \"message on the next line\"\n  \"and its continuation\"\n", 0, 0, "" },
	{ HDR "integer q\n say en \"a\" de \"b\"\ncheck hard q < 2\n en \"msg\"\n", 5, 1, "no 'de' text for the message of this check" },
	{ HDR "check medium 1 < 2 en \"a\" de \"b\"\n", 3, 7, "'hard' or 'soft'" },
	{ HDR "info i\n note en \"x\" de \"y\"\ninteger q if i > 1\n say en \"a\" de \"b\"\n", 5, 14,
	  "'i' is an info screen and has no answer" },
	{ HDR "screenout\n", 3, 10, "name of the outcome" },
	/* the call outcome an ending records */
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope if y = no outcome refusl\n say en \"a\" de \"b\"\n", 5, 34,
	  "'refusl' is not a call outcome an ending can record (refusal, language_barrier, unable, deceased, screened_out, quota_full, do_not_call)" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope if y = no outcome busy\n say en \"a\" de \"b\"\n", 5, 34,
	  "'busy' is not a call outcome an ending can record" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope outcome complete if y = no\n say en \"a\" de \"b\"\n", 5, 24,
	  "a screen-out cannot record the call outcome 'complete'; use the 'complete' statement" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope if y = no outcome\n say en \"a\" de \"b\"\n", 5, 33,
	  "the call outcome it records, e.g. outcome refusal" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope outcome refusal if y = no outcome refusal\n say en \"a\" de \"b\"\n", 5, 42,
	  "'outcome' is given twice" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\ncomplete if y = no outcome refusal\n say en \"a\" de \"b\"\n", 5, 20,
	  "a 'complete' ending records the call outcome complete" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope if y = no outcome refusal extra\n say en \"a\" de \"b\"\n", 5, 42,
	  "unexpected 'extra'" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\nscreenout nope outcome refusal if y = no\n say en \"a\" de \"b\"\n", 0, 0, "" },
	{ HDR "yesno y\n say en \"a\" de \"b\"\n", 3, 1, "" /* en/de known: this one is fine */ },
};

START_TEST(test_error_classes)
{
	const char *src = error_cases[_i].src;

	if (!*error_cases[_i].msg) {
		form_free(expect_ok(src));
		return;
	}
	expect_error(src, error_cases[_i].line, error_cases[_i].col, error_cases[_i].msg);
}
END_TEST

START_TEST(test_every_error_reported)
{
	/* three independent errors on three lines: all three come back, in line order */
	const char *src = HDR "integer q1 range 5..1\n say en \"a\"\nsingel q2\nskip to q1\n";
	struct form_diags d;
	struct form *f = compile(src, &d);

	ck_assert_ptr_null(f);
	ck_assert_int_ge(d.n, 3);
	ck_assert_int_eq(d.v[0].line, 3);
	ck_assert_int_eq(d.v[d.n - 1].line, 6);
	form_diags_release(&d);
}
END_TEST

START_TEST(test_utf8_columns)
{
	/* columns count characters, not bytes: the error after German text points right */
	expect_error(HDR "integer q1\n say de \"Größe\" en \"size\" xx\n", 4, 27, "unexpected 'xx'");
}
END_TEST

START_TEST(test_deep_nesting)
{
	/* hostile nesting is refused with a message, not a stack overflow */
	struct buf b;
	int i;

	buf_init(&b);
	buf_puts(&b, HDR "integer q if ");
	for (i = 0; i < 1500; i++)
		buf_putc(&b, '(');
	buf_puts(&b, "1\n");
	expect_error(buf_str(&b), 3, 14 + 100, "nested too deeply");
	buf_reset(&b);
	buf_puts(&b, HDR "integer q if ");
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "not ");
	buf_puts(&b, "true\n");
	expect_error(buf_str(&b), 3, 14 + 4 * 99, "too many 'not'");
	buf_release(&b);
}
END_TEST

/* `personal` marks a question's answer as personal data (erasure, exports, sealing); text
   questions are personal without it; an info screen has no answer to mark. */
START_TEST(test_personal_questions)
{
	struct form *f = expect_ok(HDR "integer age range 0..120 personal\n say en \"a\" de \"b\"\n"
	                               "integer kids range 0..20\n say en \"a\" de \"b\"\n"
	                               "text why max 50\n say en \"a\" de \"b\"\n"
	                               "single who personal dk\n 1 en \"x\" de \"y\"\n 2 en \"x2\" de \"y2\"\n say en \"a\" de \"b\"\n");

	ck_assert(form_personal_question(f, form_node_find(f, "age")));
	ck_assert(!form_personal_question(f, form_node_find(f, "kids")));
	ck_assert(form_personal_question(f, form_node_find(f, "why")));
	ck_assert(form_personal_question(f, form_node_find(f, "who")));
	ck_assert(f->nodes[form_node_find(f, "who")].flags & FORM_F_DK);
	form_free(f);
	expect_error(HDR "info hello personal\n say en \"a\" de \"b\"\n", 3, 12, "'personal' does not apply to an info question");
}
END_TEST

START_TEST(test_full_form)
{
	const char *src =
		"form cms\n"
		"title en \"Client satisfaction\" de \"Kundenzufriedenheit\"\n"
		"version 3\n"
		"languages en de\n"
		"case name office\n"
		"case region scale regions\n"
		"scale regions\n 1 en \"Vienna\" de \"Wien\"\n 2 en \"Tyrol\" de \"Tirol\"\n"
		"scale sat6\n"
		" 1 en \"very satisfied\" de \"sehr zufrieden\"\n"
		" 6 en \"not at all\" de \"gar nicht\"\n"
		"single q1 sat6 dk rf\n"
		" say en \"How satisfied with {office}, {name}?\"\n"
		"     de \"Wie zufrieden mit {office}?\"\n"
		" note en \"Read out.\" de \"Vorlesen.\"\n"
		"text why max 300 if q1 >= 5\n"
		" say en \"Why {q1}?\" de \"Warum?\"\n"
		"      \"more\"\n"
		"multi ch min 1 max 2 random\n"
		" say en \"Channels?\" de \"Kanäle?\"\n"
		" 1 en \"phone\" de \"Telefon\"\n 2 en \"web\" de \"Web\"\n"
		" 97 en \"other\" de \"anderes\" anchor\n 98 en \"none\" de \"keine\" exclusive\n"
		"group vienna if region = 1\n"
		" grid jq sat6 random\n"
		"  say en \"Rate\" de \"Bewerten\"\n"
		"  item atm en \"Atmosphere\" de \"Atmosphäre\"\n"
		"  item tools en \"Tools\" de \"Werkzeuge\"\n"
		" compute low = jq.atm >= 5 or jq.tools >= 5\n"
		"end\n"
		"check soft not (1 in ch and 98 in ch) en \"Both?\" de \"Beides?\"\n"
		"check hard count(ch) <= 2 en \"Too many: {ch}\" de \"Zu viele\"\n"
		"skip to bye if q1 = 1\n"
		"integer nv range 0..3 dk\n say en \"How many?\" de \"Wie viele?\"\n"
		"loop v times nv max 3\n"
		" yesno filled\n  say en \"Vacancy {v} filled?\" de \"Stelle {v} besetzt?\"\n"
		"end\n"
		"date when range 2020-01-01..2030-12-31\n say en \"When?\" de \"Wann?\"\n"
		"screenout no_contact if when < 2021-01-01\n say en \"Thanks\" de \"Danke\"\n"
		"info bye\n say en \"Goodbye {name}\" de \"Auf Wiedersehen\"\n";
	struct form *f = expect_ok(src);
	int q1 = form_node_find(f, "q1"), why = form_node_find(f, "why"), ch = form_node_find(f, "ch");
	int jq = form_node_find(f, "jq"), sk, i;
	const struct form_node *n;

	ck_assert_str_eq(f->id, "cms");
	ck_assert_str_eq(f->version, "3");
	ck_assert_int_eq(f->nlangs, 2);
	ck_assert_str_eq(f->langs[1], "de");
	ck_assert_str_eq(form_text_get(f, &f->title, 1), "Kundenzufriedenheit");
	ck_assert_int_eq(f->nquestions, 8);
	n = &f->nodes[q1];
	ck_assert_int_eq(n->qtype, FORM_Q_SINGLE);
	ck_assert_uint_eq(n->flags & (FORM_F_DK | FORM_F_RF), FORM_F_DK | FORM_F_RF);
	ck_assert_str_eq(n->scale->id, "sat6");
	ck_assert_str_eq(form_text_get(f, &n->say, 1), "Wie zufrieden mit {office}?");
	ck_assert_str_eq(form_text_get(f, &n->note, 0), "Read out.");
	ck_assert_str_eq(form_text_get(f, &f->nodes[why].say, 0), "Why {q1}?");
	ck_assert_str_eq(form_text_get(f, &f->nodes[why].say, 1), "Warum? more");
	ck_assert_int_eq(f->nodes[why].maxlen, 300);
	ck_assert_str_eq(f->nodes[why].cond_src, "q1 >= 5");
	n = &f->nodes[ch];
	ck_assert_int_eq(n->minsel, 1);
	ck_assert_int_eq(n->maxsel, 2);
	ck_assert_int_eq(n->scale->n, 4);
	ck_assert_uint_eq(n->scale->choices[2].flags, FORM_C_ANCHOR);
	ck_assert_uint_eq(n->scale->choices[3].flags, FORM_C_EXCLUSIVE);
	n = &f->nodes[jq];
	ck_assert_int_eq(n->nitems, 2);
	ck_assert_int_ge(form_var_find(f, "jq.tools"), 0);
	ck_assert_int_eq(f->vars[form_var_find(f, "low")].type, FORM_T_BOOL);
	ck_assert_int_eq(f->nodes[n->parent].kind, FORM_N_GROUP);
	/* the check knows which questions to revisit */
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_CHECK && (f->nodes[i].flags & FORM_F_HARD))
			break;
	ck_assert_int_lt(i, f->nnodes);
	ck_assert_int_eq(f->nodes[i].nrefs, 1);
	ck_assert_str_eq(f->vars[f->nodes[i].refs[0]].id, "ch");
	/* the skip's target is resolved */
	for (sk = 0; sk < f->nnodes; sk++)
		if (f->nodes[sk].kind == FORM_N_SKIP)
			break;
	ck_assert_int_eq(f->nodes[sk].target, form_node_find(f, "bye"));
	/* the loop, its index, its max */
	n = &f->nodes[form_node_find(f, "v")];
	ck_assert_int_eq(n->kind, FORM_N_LOOP);
	ck_assert_int_eq(n->max_iter, 3);
	ck_assert_int_eq(f->vars[form_var_find(f, "filled")].loop, form_node_find(f, "v"));
	/* yes/no labels are built in */
	n = &f->nodes[form_node_find(f, "filled")];
	ck_assert_str_eq(form_text_get(f, &n->scale->choices[1].label, 1), "nein");
	form_free(f);
}
END_TEST

/* Expression semantics ------------------------------------------------------------------- */

struct fake {
	struct form_value v[32];
};

static struct form_value fake_get(void *ctx, int slot, int iter)
{
	struct fake *fk = ctx;
	struct form_value none;

	(void)iter;
	memset(&none, 0, sizeof none);
	if (slot < 0 || slot >= 32)
		return none;
	return fk->v[slot];
}

static const char *const expr_form =
	HDR "integer n dk rf\n say en \"a\" de \"b\"\n"
	"text t\n say en \"a\" de \"b\"\n"
	"multi m\n say en \"a\" de \"b\"\n 1 en \"a\" de \"b\"\n 2 en \"a\" de \"b\"\n 3 en \"a\" de \"b\"\n"
	"date d\n say en \"a\" de \"b\"\n"
	"compute e = %s\n";

/* Evaluate expr (as a compute) with n, t, m, d as given; returns the value. */
static struct form_value eval_with(const char *expr, struct fake *fk)
{
	char src[2048];
	struct form_diags dg;
	struct form *f;
	struct form_env env = { fk, fake_get, 0 };
	struct form_value v;
	struct buf all;

	snprintf(src, sizeof src, expr_form, expr);
	form_diags_init(&dg);
	f = form_compile("e.form", src, strlen(src), &dg);
	buf_init(&all);
	form_diags_format(&dg, "e.form", &all);
	ck_assert_msg(f != NULL, "%s: %s", expr, buf_str(&all));
	buf_release(&all);
	v = form_eval(f, f->nodes[form_node_find(f, "e")].expr, &env);
	if (v.type == FORM_T_TEXT)
		v.str = NULL;  /* the form's strings die with it */
	form_free(f);
	form_diags_release(&dg);
	return v;
}

static const int codes_13[] = { 1, 3 };

static void set_answers(struct fake *fk, int state_n)
{
	memset(fk, 0, sizeof *fk);
	fk->v[0] = (struct form_value){ FORM_T_NUM, (enum form_vstate)state_n, 7, NULL, 0, NULL };
	fk->v[1] = (struct form_value){ FORM_T_TEXT, FORM_S_OK, 0, "Grüße", 0, NULL };
	fk->v[2] = (struct form_value){ FORM_T_SET, FORM_S_OK, 0, NULL, 2, codes_13 };
	fk->v[3] = (struct form_value){ FORM_T_DATE, FORM_S_OK, 19000, NULL, 0, NULL };
}

#define MISSING NAN

/* Expressions with n answered (7): value expected, or MISSING. */
static const struct {
	const char *expr;
	double want;
} answered_cases[] = {
	{ "n + 3 * 2", 13 }, { "(n + 3) * 2", 20 }, { "n / 2", 3.5 }, { "n mod 4", 3 },
	{ "-n", -7 }, { "n / 0", MISSING }, { "n mod 0", MISSING }, { "abs(0 - n)", 7 }, { "round(2.5)", 3 },
	{ "n = 7", 1 }, { "n <> 7", 0 }, { "n != 8", 1 }, { "n >= 7 and n <= 7", 1 },
	{ "n in (1, 5..8)", 1 }, { "n in 1..6", 0 }, { "n not in (7)", 0 },
	{ "1 in m", 1 }, { "2 in m", 0 }, { "not 2 in m", 1 }, { "count(m)", 2 },
	{ "len(t)", 5 }, { "t = \"Grüße\"", 1 }, { "t < \"Z\"", 1 },
	{ "d > 2020-01-01", 1 }, { "d - 2020-01-01", 19000 - 18262 }, { "d + 1 > d", 1 },
	{ "answered(n)", 1 }, { "dk(n)", 0 }, { "asked(n)", 1 },
	{ "true or false", 1 }, { "not true", 0 }, { "0.1 + 0.2 = 0.3", 1 }, { "yes = 1 and no = 2", 1 },
};

START_TEST(test_expr_answered)
{
	struct fake fk;
	struct form_value v;

	set_answers(&fk, FORM_S_OK);
	v = eval_with(answered_cases[_i].expr, &fk);
	if (isnan(answered_cases[_i].want)) {
		ck_assert_msg(v.state == FORM_S_MISSING, "%s should be missing", answered_cases[_i].expr);
	} else {
		ck_assert_msg(v.state == FORM_S_OK, "%s is missing", answered_cases[_i].expr);
		ck_assert_msg(fabs(v.num - answered_cases[_i].want) < 1e-9, "%s = %g, want %g",
		              answered_cases[_i].expr, v.num, answered_cases[_i].want);
	}
}
END_TEST

/* Conditions on n when n is unanswered, don't know or refused: never true by accident. */
static const struct {
	const char *expr;
	int want[3];  /* verdict for missing, dk, rf */
} missing_cases[] = {
	{ "n > 5", { 0, 0, 0 } },
	{ "n <= 5", { 0, 0, 0 } },
	{ "not (n > 5)", { 0, 0, 0 } },
	{ "n in (1..10)", { 0, 0, 0 } },
	{ "n not in (1..10)", { 0, 0, 0 } },
	{ "n > 5 or 1 in m", { 1, 1, 1 } },     /* true either way */
	{ "n > 5 and 2 in m", { 0, 0, 0 } },
	{ "n + 1 = 8", { 0, 0, 0 } },
	{ "answered(n)", { 0, 0, 0 } },
	{ "not answered(n)", { 1, 1, 1 } },
	{ "asked(n)", { 0, 1, 1 } },
	{ "dk(n)", { 0, 1, 0 } },
	{ "rf(n)", { 0, 0, 1 } },
	{ "dk(n) or n > 3", { 0, 1, 0 } },
};

START_TEST(test_expr_missing)
{
	static const enum form_vstate states[3] = { FORM_S_MISSING, FORM_S_DK, FORM_S_RF };
	struct fake fk;
	char src[2048];
	struct form_diags dg;
	struct form *f;
	struct form_env env = { &fk, fake_get, 0 };
	int k;

	snprintf(src, sizeof src, expr_form, missing_cases[_i].expr);
	form_diags_init(&dg);
	f = form_compile("e.form", src, strlen(src), &dg);
	ck_assert_ptr_nonnull(f);
	for (k = 0; k < 3; k++) {
		set_answers(&fk, states[k]);
		ck_assert_msg(form_cond(f, f->nodes[form_node_find(f, "e")].expr, &env) ==
		                      missing_cases[_i].want[k],
		              "%s with n %s", missing_cases[_i].expr,
		              k == 0 ? "unanswered" : k == 1 ? "don't know" : "refused");
	}
	form_free(f);
	form_diags_release(&dg);
}
END_TEST

START_TEST(test_no_getter_never_crashes)
{
	/* with no answers at all, every condition of a large generated form evaluates safely */
	char *src = genform(300, 7);
	struct form_diags dg;
	struct form *f;
	struct form_env env = { NULL, NULL, 0 };
	int i, truths = 0;

	form_diags_init(&dg);
	f = form_compile("g.form", src, strlen(src), &dg);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].cond)
			truths += form_cond(f, f->nodes[i].cond, &env);
	/* group conditions 'region in (...) or not answered(region)' hold with no answers */
	ck_assert_int_gt(truths, 0);
	form_free(f);
	form_diags_release(&dg);
	free(src);
}
END_TEST

START_TEST(test_generated_5000)
{
	char *src = genform(5000, 1);
	struct form_diags dg;
	struct form *f;

	form_diags_init(&dg);
	f = form_compile("g.form", src, strlen(src), &dg);
	ck_assert_msg(f != NULL, "generated form: %d errors, first: %s", dg.n, dg.n ? dg.v[0].msg : "");
	ck_assert_int_eq(f->nquestions, 5002);
	ck_assert_int_eq(f->nlangs, 2);
	form_free(f);
	form_diags_release(&dg);
	free(src);
}
END_TEST

START_TEST(test_dates)
{
	double d;
	char out[11];

	ck_assert_int_eq(form_date_parse("1970-01-01", 10, &d), 0);
	ck_assert_double_eq(d, 0);
	ck_assert_int_eq(form_date_parse("2024-02-29", 10, &d), 0);
	form_date_format(d, out);
	ck_assert_str_eq(out, "2024-02-29");
	ck_assert_int_eq(form_date_parse("2023-02-29", 10, &d), -1);
	ck_assert_int_eq(form_date_parse("2023-13-01", 10, &d), -1);
	ck_assert_int_eq(form_date_parse("2023-1-01", 9, &d), -1);
}
END_TEST

/* Numbers as typed: what a person types, and nothing else. msg "" means accepted. */
static const struct {
	const char *typed;
	int whole;
	double want;
	const char *msg;
} numbers[] = {
	{ "15", 1, 15, "" },
	{ "-2", 1, -2, "" },
	{ " 42 ", 1, 42, "" },
	{ "007", 1, 7, "" },
	{ "-0", 1, 0, "" },
	{ "123456789012345", 1, 123456789012345.0, "" },
	{ "3,5", 0, 3.5, "" },
	{ "3.5", 0, 3.5, "" },
	{ "-0,75", 0, -0.75, "" },
	{ "3.50", 0, 3.5, "" },
	{ "0.1", 0, 0.1, "" },
	{ "15", 0, 15, "" },
	{ "1234567.125", 0, 1234567.125, "" },
	{ "12.00", 0, 12, "" },                   /* a stored decimal, replayed */
	{ "", 1, 0, "type a whole number" },
	{ "   ", 0, 0, "type a number" },
	{ "3,5", 1, 0, "3,5: type a whole number, without decimals or thousands separators" },
	{ "3.5", 1, 0, "3.5: type a whole number, without decimals or thousands separators" },
	{ "1.000", 1, 0, "1.000: type a whole number, without decimals or thousands separators" },
	{ "1.000,5", 0, 0, "1.000,5: type one decimal mark at most, and no thousands separators" },
	{ "1,000.5", 0, 0, "1,000.5: type one decimal mark at most, and no thousands separators" },
	{ "1e2", 1, 0, "1e2: type the number in full, without an exponent" },
	{ "1.5E3", 0, 0, "1.5E3: type the number in full, without an exponent" },
	{ "+5", 1, 0, "+5: type the number without a plus sign" },
	{ "1 000", 1, 0, "1 000: type the number without spaces" },
	{ ".5", 0, 0, ".5: type it as 0.5" },
	{ "-,5", 0, 0, "-,5: type it as -0,5" },
	{ "5.", 0, 0, "5.: digits must follow the decimal mark" },
	{ "1234567890123456", 1, 0, "1234567890123456: too many digits (at most 15)" },
	{ "0x10", 1, 0, "0x10: not a whole number; type digits, like 15" },
	{ "inf", 0, 0, "inf: not a number; type digits, like 15 or 3,5" },
	{ "nan", 0, 0, "nan: not a number; type digits, like 15 or 3,5" },
	{ "-inf", 0, 0, "-inf: not a number; type digits, like 15 or 3,5" },
	{ "--5", 1, 0, "--5: not a whole number; type digits, like 15" },
	{ "-", 1, 0, "-: not a whole number; type digits, like 15" },
	{ "12a", 0, 0, "12a: not a number; type digits, like 15 or 3,5" },
	{ "\xD9\xA3", 1, 0, "\xD9\xA3: not a whole number; type digits, like 15" },
};

START_TEST(test_input_number)
{
	struct err e;
	double x = -99;
	int rc;

	err_init(&e);
	rc = form_input_number(numbers[_i].typed, numbers[_i].whole, &x, &e);
	if (!*numbers[_i].msg) {
		ck_assert_msg(rc == 0, "'%s' refused: %s", numbers[_i].typed, e.msg);
		ck_assert_msg(x == numbers[_i].want, "'%s': %.17g, want %.17g", numbers[_i].typed, x, numbers[_i].want);
		ck_assert(!signbit(x) || x != 0);
	} else {
		ck_assert_msg(rc == -1, "'%s' (whole %d) accepted as %g", numbers[_i].typed, numbers[_i].whole, x);
		ck_assert_str_eq(e.msg, numbers[_i].msg);
	}
}
END_TEST

/* Dates as typed: D.M.YYYY and YYYY-MM-DD; want is the ISO date, or msg what is wrong. */
static const struct {
	const char *typed;
	const char *want;
	const char *msg;
} dates[] = {
	{ "15.3.2025", "2025-03-15", "" },
	{ "15.03.2025", "2025-03-15", "" },
	{ "1.1.2000", "2000-01-01", "" },
	{ " 2025-03-15 ", "2025-03-15", "" },
	{ "2025-3-5", "2025-03-05", "" },
	{ "29.02.2024", "2024-02-29", "" },    /* a leap year */
	{ "29.2.2000", "2000-02-29", "" },     /* divisible by 400 */
	{ "31.12.1999", "1999-12-31", "" },
	{ "29.02.2025", "", "29.02.2025: February 2025 has 28 days" },
	{ "31.02.2025", "", "31.02.2025: February 2025 has 28 days" },
	{ "29.02.1900", "", "29.02.1900: February 1900 has 28 days" },
	{ "31.04.2025", "", "31.04.2025: April 2025 has 30 days" },
	{ "2025-06-31", "", "2025-06-31: June 2025 has 30 days" },
	{ "32.1.2025", "", "32.1.2025: there is no day 32" },
	{ "0.1.2025", "", "0.1.2025: there is no day 0" },
	{ "1.13.2025", "", "1.13.2025: there is no month 13" },
	{ "1.0.2025", "", "1.0.2025: there is no month 0" },
	{ "2025-13-01", "", "2025-13-01: there is no month 13" },
	{ "15.3.25", "", "15.3.25: type the year with four digits" },
	{ "15.3.", "", "15.3.: type the year too, like 15.3.2025" },
	{ "15.3", "", "15.3: type the year too, like 15.3.2025" },
	{ "1.1.1899", "", "1.1.1899: the year must be 1900 or later" },
	{ "3/15/2025", "", "3/15/2025: not a date; type it like 15.3.2025 or 2025-03-15" },
	{ "15.3.2025.", "", "15.3.2025.: not a date; type it like 15.3.2025 or 2025-03-15" },
	{ "abc", "", "abc: not a date; type it like 15.3.2025 or 2025-03-15" },
	{ "", "", "type a date, like 15.3.2025" },
};

START_TEST(test_input_date)
{
	struct err e;
	double d = -1;
	char iso[11];
	int rc;

	err_init(&e);
	rc = form_input_date(dates[_i].typed, &d, &e);
	if (!*dates[_i].msg) {
		ck_assert_msg(rc == 0, "'%s' refused: %s", dates[_i].typed, e.msg);
		form_date_format(d, iso);
		ck_assert_str_eq(iso, dates[_i].want);
	} else {
		ck_assert_msg(rc == -1, "'%s' accepted", dates[_i].typed);
		ck_assert_str_eq(e.msg, dates[_i].msg);
	}
}
END_TEST

/* Times of day as typed: H:MM, HH:MM, with a point too. */
static const struct {
	const char *typed;
	int hh, mm;
	const char *msg;
} times[] = {
	{ "9:30", 9, 30, "" },
	{ "09:30", 9, 30, "" },
	{ "9.30", 9, 30, "" },
	{ " 14:05 ", 14, 5, "" },
	{ "0:00", 0, 0, "" },
	{ "23:59", 23, 59, "" },
	{ "25:00", 0, 0, "25:00: there is no hour 25" },
	{ "24:00", 0, 0, "24:00: there is no hour 24" },
	{ "9:60", 0, 0, "9:60: there is no minute 60" },
	{ "9:5", 0, 0, "9:5: type the minutes with two digits, like 9:05" },
	{ "930", 0, 0, "930: not a time; type it like 9:30 or 14:05" },
	{ "9", 0, 0, "9: not a time; type it like 9:30 or 14:05" },
	{ "123:00", 0, 0, "123:00: not a time; type it like 9:30 or 14:05" },
	{ "9:30 Uhr", 0, 0, "9:30 Uhr: not a time; type it like 9:30 or 14:05" },
	{ "-1:00", 0, 0, "-1:00: not a time; type it like 9:30 or 14:05" },
	{ "", 0, 0, "type a time, like 9:30" },
};

START_TEST(test_input_time)
{
	struct err e;
	int hh = -1, mm = -1, rc;

	err_init(&e);
	rc = form_input_time(times[_i].typed, &hh, &mm, &e);
	if (!*times[_i].msg) {
		ck_assert_msg(rc == 0, "'%s' refused: %s", times[_i].typed, e.msg);
		ck_assert_int_eq(hh, times[_i].hh);
		ck_assert_int_eq(mm, times[_i].mm);
	} else {
		ck_assert_msg(rc == -1, "'%s' accepted", times[_i].typed);
		ck_assert_str_eq(e.msg, times[_i].msg);
	}
}
END_TEST

START_TEST(test_show)
{
	struct form *f = expect_ok(HDR "single q1 if 1 = 1\n say en \"Hello\" de \"Hallo\"\n"
	                               " 1 en \"yes\" de \"ja\"\n"
	                               "check soft q1 = 1 en \"Sure?\" de \"Sicher?\"\n");
	struct buf out;

	buf_init(&out);
	form_show(f, 1, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "q1: single"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "ASK IF   1 = 1"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "READ     Hallo"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "1  ja"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "CHECK (soft) q1 = 1"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "MESSAGE  Sicher?"));
	buf_release(&out);
	form_free(f);
}
END_TEST

START_TEST(test_ending_outcomes)
{
	struct form *f = expect_ok(HDR "case region scale regions\nscale regions\n 1 en \"N\" de \"N\"\n 2 en \"S\" de \"S\"\n"
	                               "quota q by region target 3 outcome region_full\n say en \"Full\" de \"Voll\"\n"
	                               "single consent\n say en \"Start?\" de \"Los?\"\n 1 en \"yes\" de \"ja\"\n 2 en \"no\" de \"nein\"\n"
	                               "screenout refused if consent = 2 outcome refusal\n say en \"Bye\" de \"Tschüss\"\n"
	                               "yesno y dk\n say en \"a\" de \"b\"\n"
	                               "screenout lang outcome language_barrier if y = no\n say en \"a\" de \"b\"\n"
	                               "screenout not_eligible if dk(y)\n say en \"a\" de \"b\"\n"
	                               "complete if y = yes\n");
	const char *want[][2] = { { "refused", "refusal" }, { "lang", "language_barrier" },
	                          { "not_eligible", "screened_out" }, { "complete", "complete" } };
	struct buf out;
	int i, k, seen = 0;

	for (i = 0; i < f->nnodes; i++) {
		const struct form_node *n = &f->nodes[i];
		if (n->kind != FORM_N_ENDING)
			continue;
		if (i == f->quotas[0].ending) {
			ck_assert_str_eq(n->outcome, "region_full");
			ck_assert_str_eq(n->call_outcome, "quota_full");
			seen++;
			continue;
		}
		for (k = 0; k < 4; k++)
			if (!strcmp(n->outcome, want[k][0])) {
				ck_assert_str_eq(n->call_outcome, want[k][1]);
				seen++;
			}
	}
	ck_assert_int_eq(seen, 5);
	buf_init(&out);
	form_show(f, 0, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "END: screen-out 'refused' IF consent = 2 (call outcome refusal)"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "END: screen-out 'not_eligible' IF dk(y)\n"));
	buf_release(&out);
	form_free(f);
}
END_TEST

START_TEST(test_garbage_never_crashes)
{
	/* random bytes and truncations of a real form: errors, never a crash */
	char *src = genform(40, 3);
	size_t len = strlen(src), cut;
	unsigned s = 12345;
	int round;

	for (round = 0; round < 300; round++) {
		char *copy = xstrndup(src, len);
		struct form_diags dg;
		struct form *f;
		int k;

		for (k = 0; k < 5; k++) {
			s = s * 1103515245u + 12345u;
			copy[(s >> 8) % len] = (char)(s >> 16);
		}
		cut = (s >> 4) % len;
		form_diags_init(&dg);
		f = form_compile("x.form", copy, round % 2 ? cut : len, &dg);
		ck_assert(f != NULL || dg.n > 0);
		form_free(f);
		form_diags_release(&dg);
		free(copy);
	}
	free(src);
}
END_TEST

/* Personal data: text questions are personal, coded ones not; case fields that name or reach
   the person are personal, others not. */
START_TEST(test_personal)
{
	static const struct {
		const char *field;
		int personal;
	} fields[] = { { "name", 1 }, { "Surname", 1 }, { "phone2", 1 }, { "mobile", 1 }, { "email", 1 },
	               { "E_Mail", 1 }, { "address", 1 }, { "street", 1 }, { "birthdate", 1 }, { "region", 0 },
	               { "office", 0 }, { "age_group", 0 }, { "", 0 } };
	struct form *f = expect_ok(HDR "text why max 80\n  say en \"w\" de \"w\"\n"
	                               "single q1\n  say en \"q\" de \"q\"\n  1 en \"a\" de \"a\"\n"
	                               "integer n range 0..9\n  say en \"n\" de \"n\"\n");
	int i, texts = 0;
	size_t k;

	for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
		ck_assert_msg(form_personal_field(fields[k].field) == fields[k].personal, "field '%s'", fields[k].field);
	ck_assert_int_eq(form_personal_field(NULL), 0);
	for (i = 0; i < f->nnodes; i++)
		if (form_personal_question(f, i)) {
			ck_assert_str_eq(f->nodes[i].id, "why");
			texts++;
		}
	ck_assert_int_eq(texts, 1);
	ck_assert_int_eq(form_personal_question(f, -1), 0);
	ck_assert_int_eq(form_personal_question(f, f->nnodes), 0);
	ck_assert_int_eq(form_personal_question(NULL, 0), 0);
	form_free(f);
}
END_TEST

static Suite *form_suite(void)
{
	Suite *s = suite_create("form");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_error_classes, 0, (int)(sizeof error_cases / sizeof error_cases[0]));
	tcase_add_test(tc, test_every_error_reported);
	tcase_add_test(tc, test_utf8_columns);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_full_form);
	tcase_add_test(tc, test_personal_questions);
	tcase_add_loop_test(tc, test_expr_answered, 0,
	                    (int)(sizeof answered_cases / sizeof answered_cases[0]));
	tcase_add_loop_test(tc, test_expr_missing, 0,
	                    (int)(sizeof missing_cases / sizeof missing_cases[0]));
	tcase_add_test(tc, test_no_getter_never_crashes);
	tcase_add_test(tc, test_generated_5000);
	tcase_add_test(tc, test_dates);
	tcase_add_loop_test(tc, test_input_number, 0, (int)(sizeof numbers / sizeof numbers[0]));
	tcase_add_loop_test(tc, test_input_date, 0, (int)(sizeof dates / sizeof dates[0]));
	tcase_add_loop_test(tc, test_input_time, 0, (int)(sizeof times / sizeof times[0]));
	tcase_add_test(tc, test_show);
	tcase_add_test(tc, test_ending_outcomes);
	tcase_add_test(tc, test_garbage_never_crashes);
	tcase_add_test(tc, test_personal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(form_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
