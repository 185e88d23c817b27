/* check_engine.c: unit tests of the interview engine: routing, navigation, checks, replay. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/engine.h"
#include "cati/i18n.h"
#include "cati/form.h"
#include "genform.h"

/* A form that exercises branches, a group, a loop, checks, fills and endings. */
static const char *const route_form =
	"form r\nlanguages en de\n"
	"case region scale regions\ncase name\n"
	"scale regions\n 1 en \"Vienna\" de \"Wien\"\n 2 en \"Tyrol\" de \"Tirol\"\n"
	"yesno contact\n say en \"Did you contact us, {name}?\" de \"Kontakt, {name}?\"\n"
	"screenout no_contact if contact = no\n say en \"Thanks\" de \"Danke\"\n"
	"single sat\n say en \"Satisfied?\" de \"Zufrieden?\"\n"
	" 1 en \"very\" de \"sehr\"\n 2 en \"rather\" de \"eher\"\n 3 en \"not\" de \"nicht\"\n"
	"text why if sat = 3\n say en \"Why {sat}?\" de \"Warum {sat}?\"\n"
	"group vienna if region = 1\n"
	" integer vq range 0..10\n  say en \"Vienna question in {region}\" de \"Wien-Frage in {region}\"\n"
	"end\n"
	"integer age range 15..99 dk\n say en \"Age?\" de \"Alter?\"\n"
	"integer months range 0..600\n say en \"Months?\" de \"Monate?\"\n"
	"check soft months <= (age - 15) * 12 en \"{months} months at age {age}?\" de \"Sicher?\"\n"
	"integer kids range 0..5\n say en \"Children?\" de \"Kinder?\"\n"
	"loop kid times kids max 5\n"
	" integer kage range 0..30\n  say en \"Age of child {kid}?\" de \"Alter von Kind {kid}?\"\n"
	"end\n"
	"integer total range 0..1000\n say en \"Total?\" de \"Summe?\"\n"
	"check hard total >= kids en \"Total below children\" de \"Summe zu klein\"\n"
	"multi ch min 1 max 2 random\n say en \"Channels?\" de \"Kanäle?\"\n"
	" 1 en \"phone\" de \"Telefon\"\n 2 en \"web\" de \"Web\"\n 3 en \"mail\" de \"Post\"\n"
	" 97 en \"other\" de \"andere\" anchor\n 98 en \"none\" de \"keine\" exclusive anchor\n"
	"info bye\n say en \"Goodbye {name}\" de \"Tschüss {name}\"\n";

static struct form *load(const char *src)
{
	struct form_diags d;
	struct form *f;

	form_diags_init(&d);
	f = form_compile("r.form", src, strlen(src), &d);
	ck_assert_msg(f != NULL, "form does not compile: %s", d.n ? d.v[0].msg : "");
	form_diags_release(&d);
	return f;
}

static struct eng *start(const struct form *f, const char *region, uint64_t seed)
{
	static const char *const names[] = { "region", "name" };
	const char *values[] = { region, "Anna" };
	struct eng_case c = { 2, names, values, seed };

	return eng_new(f, &c, 0, NULL);
}

static void at(struct eng *e, const char *qid, int iter)
{
	const struct eng_screen *sc = eng_screen(e);

	ck_assert_msg(sc->kind == ENG_SCREEN_QUESTION, "expected question %s, screen kind %d (%s)", qid,
	              sc->kind, eng_message(e));
	ck_assert_str_eq(sc->qid, qid);
	ck_assert_int_eq(sc->iter, iter);
}

static void ans(struct eng *e, const char *typed, enum eng_rc want)
{
	enum eng_rc rc = eng_answer_text(e, typed);
	ck_assert_msg(rc == want, "answer '%s': rc %d, want %d (%s)", typed, rc, want, eng_message(e));
}

/* The stored answer's value and route flag, or NULL. */
static const char *val(struct eng *e, const char *qid, int iter, int *on)
{
	enum form_vstate st;
	const char *v;

	if (!eng_get(e, qid, iter, &st, &v, on))
		return NULL;
	return v;
}

START_TEST(test_basic_route_and_fills)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "2", 1);
	const struct eng_screen *sc;

	at(e, "contact", 0);
	sc = eng_screen(e);
	ck_assert_str_eq(sc->text, "Did you contact us, Anna?");
	ck_assert_int_eq(sc->nchoices, 2);
	ck_assert_str_eq(sc->choices[0].label, "yes");
	ck_assert_int_eq(sc->position, 1);
	ans(e, "yes", ENG_OK);
	at(e, "sat", 0);
	ans(e, "3", ENG_OK);
	at(e, "why", 0);
	ck_assert_str_eq(eng_screen(e)->text, "Why not?");
	eng_set_lang(e, 1);
	ck_assert_str_eq(eng_screen(e)->text, "Warum nicht?");
	eng_set_lang(e, 0);
	ans(e, "too slow", ENG_OK);
	/* region 2: the Vienna group is skipped */
	at(e, "age", 0);
	ck_assert_int_eq(eng_screen(e)->position, 4);
	ck_assert_int_ge(eng_screen(e)->estimate, 4);
	eng_free(e);
	form_free(f);
}
END_TEST

START_TEST(test_screenout)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "1", 1);
	const struct eng_screen *sc;
	const char *ending, *call;

	ans(e, "no", ENG_OK);
	sc = eng_screen(e);
	ck_assert_int_eq(sc->kind, ENG_SCREEN_END);
	ck_assert_str_eq(sc->outcome, "no_contact");
	ck_assert_int_eq(sc->complete, 0);
	ck_assert_str_eq(sc->end_text, "Thanks");
	ck_assert_str_eq(sc->call_outcome, "screened_out");
	ck_assert_int_eq(eng_status(e), ENG_SCREENED_OUT);
	/* back and change: the interview goes on; looking back, the route still ends there */
	ck_assert_int_eq(eng_back(e), ENG_OK);
	at(e, "contact", 0);
	ck_assert_int_eq(eng_ending(e, &ending, &call), 1);
	ck_assert_str_eq(ending, "no_contact");
	ck_assert_str_eq(call, "screened_out");
	ans(e, "yes", ENG_OK);
	at(e, "sat", 0);
	ck_assert_int_eq(eng_status(e), ENG_ACTIVE);
	ck_assert_int_eq(eng_ending(e, &ending, &call), 0);
	eng_free(e);
	form_free(f);
}
END_TEST

/* The END screen says which call outcome the ending records. */
START_TEST(test_end_call_outcome)
{
	struct form *f = load("form o\nlanguages en\n"
	                      "single consent\n say \"May we begin?\"\n 1 \"yes\"\n 2 \"no\"\n 3 \"no German\"\n"
	                      "screenout refused if consent = 2 outcome refusal\n say \"Goodbye.\"\n"
	                      "screenout no_german outcome language_barrier if consent = 3\n say \"Sorry.\"\n"
	                      "yesno eligible\n say \"Eligible?\"\n"
	                      "screenout not_eligible if eligible = no\n say \"Thanks.\"\n"
	                      "complete if eligible = yes\n");
	static const struct {
		const char *answers, *outcome, *call;
		int complete;
	} cases[] = {
		{ "2", "refused", "refusal", 0 },
		{ "3", "no_german", "language_barrier", 0 },
		{ "1 no", "not_eligible", "screened_out", 0 },
		{ "1 yes", "complete", "complete", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct eng *e = eng_new(f, &(struct eng_case){ 0, NULL, NULL, 1 }, 0, NULL);
		char buf[32], *p, *save = NULL;
		const struct eng_screen *sc;

		snprintf(buf, sizeof buf, "%s", cases[i].answers);
		for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save))
			ans(e, p, ENG_OK);
		sc = eng_screen(e);
		ck_assert_int_eq(sc->kind, ENG_SCREEN_END);
		ck_assert_str_eq(sc->outcome, cases[i].outcome);
		ck_assert_str_eq(sc->call_outcome, cases[i].call);
		ck_assert_int_eq(sc->complete, cases[i].complete);
		eng_free(e);
	}
	form_free(f);
}
END_TEST

START_TEST(test_branch_disappears_and_returns)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "1", 1);
	int on = -1;

	ans(e, "yes", ENG_OK);
	ans(e, "3", ENG_OK);
	ans(e, "too slow", ENG_OK);
	at(e, "vq", 0);
	ck_assert_str_eq(eng_screen(e)->text, "Vienna question in Vienna");
	ans(e, "4", ENG_OK);
	ans(e, "40", ENG_OK);
	at(e, "months", 0);
	/* go back to sat and make it 1: 'why' falls off the route but is kept */
	ck_assert_int_eq(eng_jump(e, "sat", 0), ENG_OK);
	ans(e, "1", ENG_OK);
	at(e, "vq", 0);   /* the next question on the new route, already answered */
	ck_assert_str_eq(val(e, "why", 0, &on), "too slow");
	ck_assert_int_eq(on, 0);
	ck_assert_str_eq(val(e, "vq", 0, &on), "4");
	ck_assert_int_eq(on, 1);
	/* a jump to an off-route question is refused */
	ck_assert_int_eq(eng_jump(e, "why", 0), ENG_DENIED);
	/* and back to 3: 'why' returns with its answer */
	ck_assert_int_eq(eng_jump(e, "sat", 0), ENG_OK);
	ans(e, "3", ENG_OK);
	at(e, "why", 0);
	ck_assert_str_eq(eng_screen(e)->value, "too slow");
	ck_assert_str_eq(val(e, "why", 0, &on), "too slow");
	ck_assert_int_eq(on, 1);
	ck_assert_int_eq(eng_next(e), ENG_OK);
	at(e, "vq", 0);
	/* resume goes to the first unanswered question */
	ck_assert_int_eq(eng_resume(e), ENG_OK);
	at(e, "months", 0);
	eng_free(e);
	form_free(f);
}
END_TEST

/* Answer up to the loop with kids children. */
static void to_loop(struct eng *e, const char *kids)
{
	ans(e, "yes", ENG_OK);
	ans(e, "1", ENG_OK);
	ans(e, "30", ENG_OK);  /* age (region 2: no Vienna question) */
	ans(e, "12", ENG_OK);  /* months */
	ans(e, kids, ENG_OK);
}

START_TEST(test_loop_lowered)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "2", 1);
	int on = -1;

	to_loop(e, "3");
	at(e, "kage", 1);
	ck_assert_str_eq(eng_screen(e)->text, "Age of child 1?");
	ck_assert_str_eq(eng_screen(e)->loop_id, "kid");
	ans(e, "10", ENG_OK);
	at(e, "kage", 2);
	ans(e, "8", ENG_OK);
	at(e, "kage", 3);
	ans(e, "5", ENG_OK);
	at(e, "total", 0);
	/* lower the count: iteration 3 goes off route, kept */
	ck_assert_int_eq(eng_jump(e, "kids", 0), ENG_OK);
	ans(e, "2", ENG_OK);
	at(e, "kage", 1);
	ck_assert_str_eq(val(e, "kage", 3, &on), "5");
	ck_assert_int_eq(on, 0);
	ck_assert_str_eq(val(e, "kage", 2, &on), "8");
	ck_assert_int_eq(on, 1);
	ck_assert_int_eq(eng_resume(e), ENG_OK);
	at(e, "total", 0);
	/* raise it again: iteration 3 is back with its answer */
	ck_assert_int_eq(eng_jump(e, "kids", 0), ENG_OK);
	ans(e, "4", ENG_OK);
	ck_assert_int_eq(eng_resume(e), ENG_OK);
	at(e, "kage", 4);
	ck_assert_str_eq(val(e, "kage", 3, &on), "5");
	ck_assert_int_eq(on, 1);
	eng_free(e);
	form_free(f);
}
END_TEST

START_TEST(test_soft_check_confirmed_then_invalidated)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "2", 1);
	const struct eng_screen *sc;

	ans(e, "yes", ENG_OK);
	ans(e, "1", ENG_OK);
	ans(e, "16", ENG_OK);   /* age 16: at most 12 months since 15 */
	ans(e, "30", ENG_CHECK);
	sc = eng_screen(e);
	ck_assert_int_eq(sc->kind, ENG_SCREEN_CHECK);
	ck_assert_int_eq(sc->hard, 0);
	ck_assert_str_eq(sc->message, "30 months at age 16?");
	ck_assert_int_eq(sc->nrevisit, 2);
	ck_assert_str_eq(sc->revisit[0].qid, "months");
	ck_assert_str_eq(sc->revisit[1].qid, "age");
	ck_assert_int_eq(eng_next(e), ENG_DENIED);
	ck_assert_int_eq(eng_confirm(e), ENG_OK);
	at(e, "kids", 0);
	/* an unrelated change keeps the confirmation */
	ck_assert_int_eq(eng_jump(e, "sat", 0), ENG_OK);
	ans(e, "2", ENG_OK);
	ck_assert_int_eq(eng_resume(e), ENG_OK);
	at(e, "kids", 0);
	/* changing months invalidates it: raised again */
	ck_assert_int_eq(eng_jump(e, "months", 0), ENG_OK);
	ans(e, "40", ENG_CHECK);
	ck_assert_str_eq(eng_screen(e)->message, "40 months at age 16?");
	/* correcting it makes the check pass */
	ck_assert_int_eq(eng_back(e), ENG_OK);
	at(e, "months", 0);
	ans(e, "6", ENG_OK);
	at(e, "kids", 0);
	eng_free(e);
	form_free(f);
}
END_TEST

START_TEST(test_hard_check)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "2", 1);
	const struct eng_screen *sc;

	to_loop(e, "1");
	ans(e, "3", ENG_OK);
	at(e, "total", 0);
	ans(e, "0", ENG_CHECK);
	sc = eng_screen(e);
	ck_assert_int_eq(sc->hard, 1);
	ck_assert_str_eq(sc->message, "Total below children");
	ck_assert_int_eq(sc->nrevisit, 2);
	ck_assert_int_eq(eng_confirm(e), ENG_DENIED);
	ck_assert_int_eq(eng_next(e), ENG_DENIED);
	/* the answer is stored, the route stops until corrected */
	ck_assert_int_eq(eng_jump(e, sc->revisit[0].qid, 0), ENG_OK);
	at(e, "total", 0);
	ans(e, "1", ENG_OK);
	at(e, "ch", 0);
	eng_free(e);
	form_free(f);
}
END_TEST

/* A form with one question of each typed kind, for what typing into them gives. */
static const char *const typed_form =
	"form t\nlanguages en\n"
	"single pick\n say en \"Pick?\"\n 1 en \"one\"\n 2 en \"two\"\n"
	"integer n range -5..99\n say en \"N?\"\n"
	"decimal d range -10..100 decimals 2\n say en \"D?\"\n"
	"date when range 2024-01-01..2025-12-31\n say en \"When?\"\n"
	"info bye\n say en \"Bye\"\n";

/* Typed answers: stored canonically, or refused with a message that names the problem. */
static const struct {
	const char *qid;
	const char *typed;
	enum eng_rc rc;
	const char *want;   /* the stored value, or the message */
} typed_answers[] = {
	{ "pick", "2", ENG_OK, "2" },
	{ "pick", " 2 ", ENG_OK, "2" },
	{ "pick", "+2", ENG_INVALID, "enter the code of a choice" },
	{ "pick", "2.0", ENG_INVALID, "enter the code of a choice" },
	{ "pick", "0x2", ENG_INVALID, "enter the code of a choice" },
	{ "n", "15", ENG_OK, "15" },
	{ "n", "-2", ENG_OK, "-2" },
	{ "n", " 7 ", ENG_OK, "7" },
	{ "n", "-0", ENG_OK, "0" },
	{ "n", "3,5", ENG_INVALID, "3,5: type a whole number, without decimals or thousands separators" },
	{ "n", "1e2", ENG_INVALID, "1e2: type the number in full, without an exponent" },
	{ "n", "0x10", ENG_INVALID, "0x10: not a whole number; type digits, like 15" },
	{ "n", "+5", ENG_INVALID, "+5: type the number without a plus sign" },
	{ "n", "inf", ENG_INVALID, "inf: not a whole number; type digits, like 15" },
	{ "n", "", ENG_INVALID, "type a whole number" },
	{ "n", "100", ENG_INVALID, "enter a number from -5 to 99" },
	{ "d", "3,5", ENG_OK, "3.50" },
	{ "d", "3.25", ENG_OK, "3.25" },
	{ "d", "-2", ENG_OK, "-2.00" },
	{ "d", "3.456", ENG_INVALID, "3.456: at most 2 decimals" },
	{ "d", "1e2", ENG_INVALID, "1e2: type the number in full, without an exponent" },
	{ "d", "nan", ENG_INVALID, "nan: not a number; type digits, like 15 or 3,5" },
	{ "d", "1.000,5", ENG_INVALID, "1.000,5: type one decimal mark at most, and no thousands separators" },
	{ "d", "100.5", ENG_INVALID, "enter a number from -10.00 to 100.00" },
	{ "when", "15.3.2025", ENG_OK, "2025-03-15" },
	{ "when", "2025-03-15", ENG_OK, "2025-03-15" },
	{ "when", "29.02.2024", ENG_OK, "2024-02-29" },
	{ "when", "29.02.2025", ENG_INVALID, "29.02.2025: February 2025 has 28 days" },
	{ "when", "31.04.2025", ENG_INVALID, "31.04.2025: April 2025 has 30 days" },
	{ "when", "0.1.2025", ENG_INVALID, "0.1.2025: there is no day 0" },
	{ "when", "1.13.2025", ENG_INVALID, "1.13.2025: there is no month 13" },
	{ "when", "15.3.25", ENG_INVALID, "15.3.25: type the year with four digits" },
	{ "when", "1.1.2026", ENG_INVALID, "enter a date from 2024-01-01 to 2025-12-31" },
	{ "when", "", ENG_INVALID, "type a date, like 15.3.2025" },
};

START_TEST(test_typed_answers)
{
	static const char *const before[] = { "1", "1", "1", "2024-06-01" };
	static const char *const qids[] = { "pick", "n", "d", "when" };
	struct form *f = load(typed_form);
	struct eng *e = eng_new(f, NULL, 0, NULL);
	int i;

	for (i = 0; strcmp(qids[i], typed_answers[_i].qid); i++)
		ans(e, before[i], ENG_OK);
	at(e, typed_answers[_i].qid, 0);
	ck_assert_msg(eng_answer_text(e, typed_answers[_i].typed) == typed_answers[_i].rc,
	              "%s: '%s': %s", typed_answers[_i].qid, typed_answers[_i].typed, eng_message(e));
	if (typed_answers[_i].rc == ENG_OK)
		ck_assert_str_eq(val(e, typed_answers[_i].qid, 0, NULL), typed_answers[_i].want);
	else
		ck_assert_str_eq(eng_message(e), typed_answers[_i].want);
	eng_free(e);
	form_free(f);
}
END_TEST

/* Refusals read in the interface language on screen, and stay English for files and JSON;
 * answers typed the German way are stored as ISO dates and with a decimal point. */
START_TEST(test_refusal_languages)
{
	struct form *f = load(route_form), *g = load(typed_form);
	struct eng *e = start(f, "2", 1), *t = eng_new(g, NULL, 0, NULL);

	setenv("CATI_LOCALEDIR", "bin/locale", 1);
	i18n_init("cati", "de");
	ck_assert_str_eq(i18n_lang(), "de");
	ans(e, "maybe", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "enter the code of a choice");
	ck_assert_str_eq(eng_message_shown(e), "den Code einer Antwort eingeben");
	ans(e, "yes", ENG_OK);
	ans(e, "2", ENG_OK);
	ans(e, "14", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "enter a number from 15 to 99");
	ck_assert_str_eq(eng_message_shown(e), "eine Zahl von 15 bis 99 eingeben");

	ans(t, "1", ENG_OK);
	ans(t, "1", ENG_OK);
	at(t, "d", 0);
	ck_assert_int_eq(eng_answer_text(t, "3,5"), ENG_OK);
	ck_assert_str_eq(val(t, "d", 0, NULL), "3.50");
	ans(t, "31.12.2024", ENG_OK);
	ck_assert_str_eq(val(t, "when", 0, NULL), "2024-12-31");
	i18n_use("en");
	eng_free(t);
	eng_free(e);
	form_free(g);
	form_free(f);
}
END_TEST

START_TEST(test_validation)
{
	struct form *f = load(route_form);
	struct eng *e = start(f, "2", 1);

	ans(e, "maybe", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "enter the code of a choice");
	ans(e, "dk", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "don't know is not allowed for this question");
	ans(e, "yes", ENG_OK);
	ans(e, "4", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "4 is not one of the choices");
	ans(e, "2", ENG_OK);
	ans(e, "14", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "enter a number from 15 to 99");
	ans(e, "3.5", ENG_INVALID);
	ans(e, "dk", ENG_OK);
	ans(e, "0", ENG_OK);
	ans(e, "0", ENG_OK);  /* kids: loop skipped */
	ans(e, "0", ENG_OK);  /* total */
	at(e, "ch", 0);
	ans(e, "", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "choose from 1 to 2 answers");
	ans(e, "1,2,3", ENG_INVALID);
	ans(e, "1,1", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "1 is chosen twice");
	ans(e, "1,98", ENG_INVALID);
	ck_assert_str_eq(eng_message(e), "'none' cannot be combined with other answers");
	ans(e, "3,1", ENG_OK);
	ck_assert_str_eq(val(e, "ch", 0, NULL), "1,3");
	at(e, "bye", 0);
	ck_assert_str_eq(eng_screen(e)->text, "Goodbye Anna");
	ck_assert_int_eq(eng_next(e), ENG_OK);
	ck_assert_int_eq(eng_screen(e)->kind, ENG_SCREEN_END);
	ck_assert_int_eq(eng_screen(e)->complete, 1);
	ck_assert_int_eq(eng_status(e), ENG_COMPLETE);
	eng_free(e);
	form_free(f);
}
END_TEST

START_TEST(test_random_choices_reproducible)
{
	struct form *f = load(route_form);
	char order[2][64];
	int s, i, differs = 0;

	for (s = 0; s < 2; s++) {
		struct eng *e = start(f, "2", 42);
		const struct eng_screen *sc;

		ans(e, "yes", ENG_OK);
		ans(e, "2", ENG_OK);
		ans(e, "30", ENG_OK);
		ans(e, "0", ENG_OK);
		ans(e, "0", ENG_OK);
		ans(e, "0", ENG_OK);
		sc = eng_screen(e);
		ck_assert_str_eq(sc->qid, "ch");
		order[s][0] = '\0';
		for (i = 0; i < sc->nchoices; i++)
			snprintf(order[s] + strlen(order[s]), sizeof order[s] - strlen(order[s]), "%d ", sc->choices[i].code);
		/* anchors stay last */
		ck_assert_int_eq(sc->choices[3].code, 97);
		ck_assert_int_eq(sc->choices[4].code, 98);
		eng_free(e);
	}
	ck_assert_str_eq(order[0], order[1]);
	/* other seeds give other orders */
	for (s = 1; s < 40 && !differs; s++) {
		struct eng *e = start(f, "2", (uint64_t)s * 7919);
		const struct eng_screen *sc;
		char o[64] = "";

		ans(e, "yes", ENG_OK);
		ans(e, "2", ENG_OK);
		ans(e, "30", ENG_OK);
		ans(e, "0", ENG_OK);
		ans(e, "0", ENG_OK);
		ans(e, "0", ENG_OK);
		sc = eng_screen(e);
		for (i = 0; i < sc->nchoices; i++)
			snprintf(o + strlen(o), sizeof o - strlen(o), "%d ", sc->choices[i].code);
		differs = strcmp(o, order[0]) != 0;
		eng_free(e);
	}
	ck_assert(differs);
	form_free(f);
}
END_TEST

START_TEST(test_random_group_fixed)
{
	const char *src = "form g\nlanguages en\n"
	                  "group g random\n"
	                  " info a\n  say \"a\"\n info b\n  say \"b\"\n info c fixed\n  say \"c\"\n"
	                  " info d\n  say \"d\"\n info e\n  say \"e\"\n"
	                  "end\n";
	struct form *f = load(src);
	int s, seen_other_first = 0;

	for (s = 0; s < 30; s++) {
		struct eng *e = start(f, "1", (uint64_t)s + 1);
		char order[16] = "";
		int k;

		for (k = 0; k < 5; k++) {
			const struct eng_screen *sc = eng_screen(e);
			ck_assert_int_eq(sc->kind, ENG_SCREEN_QUESTION);
			strcat(order, sc->qid);
			ck_assert_int_eq(eng_next(e), ENG_OK);
		}
		ck_assert_int_eq(eng_screen(e)->kind, ENG_SCREEN_END);
		ck_assert_int_eq(order[2], 'c');   /* fixed keeps its place */
		seen_other_first |= order[0] != 'a';
		eng_free(e);
	}
	ck_assert(seen_other_first);
	form_free(f);
}
END_TEST

/* Events --------------------------------------------------------------------------------- */

struct log {
	struct eng_event *v;
	int n, cap;
	uint64_t clock;
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void log_event(void *ctx, const struct eng_event *ev)
{
	struct log *l = ctx;
	struct eng_event *c;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, sizeof *l->v * (size_t)l->cap);
	}
	c = &l->v[l->n++];
	*c = *ev;
	c->qid = dup_or_null(ev->qid);
	c->value = dup_or_null(ev->value);
	c->old_value = dup_or_null(ev->old_value);
	c->lang = dup_or_null(ev->lang);
	c->outcome = dup_or_null(ev->outcome);
}

static uint64_t log_clock(void *ctx)
{
	struct log *l = ctx;
	return l->clock += 1000;
}

static void log_free(struct log *l)
{
	int i;

	for (i = 0; i < l->n; i++) {
		free((char *)l->v[i].qid);
		free((char *)l->v[i].value);
		free((char *)l->v[i].old_value);
		free((char *)l->v[i].lang);
		free((char *)l->v[i].outcome);
	}
	free(l->v);
}

START_TEST(test_events)
{
	struct form *f = load(route_form);
	struct log l = { NULL, 0, 0, 0 };
	struct eng_env env = { log_clock, &l, log_event, &l };
	static const char *const names[] = { "region", "name" };
	const char *values[] = { "2", "Anna" };
	struct eng_case c = { 2, names, values, 1 };
	struct eng *e = eng_new(f, &c, 0, &env);
	int i;

	ans(e, "yes", ENG_OK);
	ans(e, "1", ENG_OK);
	eng_back(e);
	ans(e, "2", ENG_OK);
	eng_set_lang(e, 1);
	ck_assert_int_eq(l.v[0].type, ENG_EV_START);
	ck_assert_str_eq(l.v[0].lang, "en");
	ck_assert_int_eq(l.v[1].type, ENG_EV_SHOWN);
	ck_assert_str_eq(l.v[1].qid, "contact");
	ck_assert_int_eq(l.v[2].type, ENG_EV_ANSWER);
	ck_assert_str_eq(l.v[2].value, "1");
	ck_assert_int_eq(l.v[2].changed, 0);
	for (i = 1; i < l.n; i++)
		ck_assert(l.v[i].t_us > l.v[i - 1].t_us);
	/* the change records old and new */
	for (i = 0; i < l.n; i++)
		if (l.v[i].type == ENG_EV_ANSWER && l.v[i].changed)
			break;
	ck_assert_int_lt(i, l.n);
	ck_assert_str_eq(l.v[i].qid, "sat");
	ck_assert_str_eq(l.v[i].old_value, "1");
	ck_assert_str_eq(l.v[i].value, "2");
	ck_assert_int_eq(l.v[i - 2].type, ENG_EV_BACK);
	ck_assert_int_eq(l.v[l.n - 1].type, ENG_EV_LANG);
	ck_assert_str_eq(l.v[l.n - 1].lang, "de");
	eng_free(e);
	log_free(&l);
	form_free(f);
}
END_TEST

/* Property: random interviews with random back-jumps; replaying the log rebuilds them. -------- */

struct dump {
	struct buf b;
};

static void dump_one(void *ctx, const char *qid, int iter, enum form_vstate st, const char *value,
                     int on)
{
	struct dump *d = ctx;
	buf_printf(&d->b, "%s[%d]=%d:%s:%d\n", qid, iter, (int)st, value, on);
}

/* Everything observable about an interview, as text. */
static char *state_of(struct eng *e)
{
	struct dump d;
	const struct eng_screen *sc = eng_screen(e);

	buf_init(&d.b);
	eng_foreach_answer(e, dump_one, &d);
	buf_printf(&d.b, "screen %d %s %d check %d lang %d status %d\n", sc->kind, sc->qid ? sc->qid : "-",
	           sc->iter, sc->check, eng_lang(e), eng_status(e));
	return buf_detach(&d.b);
}

static uint64_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* A random typed answer for the screen (legal or not: the engine must cope either way). */
static void random_typed(uint64_t *r, const struct eng_screen *sc, char *out, size_t n)
{
	int i, k;

	if (sc->allow && rng_next(r) % 10 == 0) {
		snprintf(out, n, "%s", (sc->allow & FORM_F_DK) ? "dk" : "rf");
		return;
	}
	switch (sc->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
		snprintf(out, n, "%d", sc->choices[rng_next(r) % (uint64_t)sc->nchoices].code);
		break;
	case FORM_Q_MULTI:
		k = 1 + (int)(rng_next(r) % 2);
		out[0] = '\0';
		for (i = 0; i < k; i++)
			snprintf(out + strlen(out), n - strlen(out), "%s%d", i ? "," : "",
			         sc->choices[rng_next(r) % (uint64_t)sc->nchoices].code);
		break;
	case FORM_Q_GRID:
		out[0] = '\0';
		for (i = 0; i < sc->nitems; i++)
			snprintf(out + strlen(out), n - strlen(out), "%s%d", i ? "," : "",
			         sc->choices[rng_next(r) % (uint64_t)sc->nchoices].code);
		break;
	case FORM_Q_INTEGER:
	case FORM_Q_DECIMAL:
		snprintf(out, n, "%d", sc->has_range ? (int)sc->lo + (int)(rng_next(r) % (uint64_t)(sc->hi - sc->lo + 1))
		                                     : (int)(rng_next(r) % 50));
		break;
	case FORM_Q_DATE:
		snprintf(out, n, "2024-0%d-1%d", 1 + (int)(rng_next(r) % 9), (int)(rng_next(r) % 9));
		break;
	default:
		snprintf(out, n, "text %d", (int)(rng_next(r) % 100));
		break;
	}
}

/* Drive an interview randomly for steps commands, then replay its events into a fresh one. */
static void property_run(const struct form *f, uint64_t seed, int steps)
{
	struct log l = { NULL, 0, 0, 0 };
	struct eng_env env = { log_clock, &l, log_event, &l };
	const char *names[64], *values[64];
	char vbuf[64][32], typed[256];
	struct eng_case c;
	struct eng *e, *r;
	uint64_t rs = seed;
	int i, n = 0;
	char *a, *b;

	for (i = 0; i < f->nvars && n < 64; i++) {
		const struct form_var *v = &f->vars[i];
		if (v->kind != FORM_V_CASE)
			continue;
		if (v->scale && v->scale->n)
			snprintf(vbuf[n], sizeof vbuf[n], "%d", v->scale->choices[rng_next(&rs) % (uint64_t)v->scale->n].code);
		else if (v->type == FORM_T_NUM)
			snprintf(vbuf[n], sizeof vbuf[n], "%d", v->has_range ? (int)v->lo : 30);
		else
			snprintf(vbuf[n], sizeof vbuf[n], "value %d", (int)(rng_next(&rs) % 3));
		names[n] = v->id;
		values[n] = vbuf[n];
		n++;
	}
	c.n = n;
	c.names = names;
	c.values = values;
	c.seed = seed;
	e = eng_new(f, &c, 0, &env);
	for (i = 0; i < steps; i++) {
		const struct eng_screen *sc = eng_screen(e);
		uint64_t roll = rng_next(&rs) % 100;

		if (roll < 8) {
			eng_back(e);
		} else if (roll < 12) {
			const char **ids;
			const int *its;
			int k = eng_route(e, &ids, &its);
			if (k) {
				int j = (int)(rng_next(&rs) % (uint64_t)k);
				char id[FORM_MAX_ID + 1];
				snprintf(id, sizeof id, "%s", ids[j]);
				ck_assert_int_eq(eng_jump(e, id, its[j]), ENG_OK);
			}
		} else if (roll < 14) {
			eng_set_lang(e, (int)(rng_next(&rs) % (uint64_t)f->nlangs));
		} else if (roll < 16) {
			eng_resume(e);
		} else if (sc->kind == ENG_SCREEN_CHECK) {
			if (!sc->hard)
				eng_confirm(e);
			else if (sc->nrevisit)
				eng_jump(e, sc->revisit[0].qid, sc->revisit[0].iter);
			else
				eng_back(e);
		} else if (sc->kind == ENG_SCREEN_END) {
			eng_back(e);
		} else if (sc->qtype == FORM_Q_INFO || (sc->answered && roll < 40)) {
			eng_next(e);
		} else {
			random_typed(&rs, sc, typed, sizeof typed);
			eng_answer_text(e, typed);
		}
	}
	/* replay into a fresh engine */
	c.seed = seed;
	r = eng_new(f, &c, 0, NULL);
	for (i = 0; i < l.n; i++) {
		enum eng_rc rc = eng_replay(r, &l.v[i]);
		ck_assert_msg(rc != ENG_INVALID && rc != ENG_DENIED, "%s seed %llu: replay of event %d (type %d, %s) failed: %s",
		              f->id, (unsigned long long)seed, i, l.v[i].type, l.v[i].qid ? l.v[i].qid : "-",
		              eng_message(r));
	}
	a = state_of(e);
	b = state_of(r);
	if (strcmp(a, b)) {
		/* report the first line that differs; the whole dump is too long for a message */
		const char *p = a, *q = b;
		while (*p && *p == *q) {
			p++;
			q++;
		}
		while (p > a && p[-1] != '\n') {
			p--;
			q--;
		}
		ck_abort_msg("%s seed %llu: replay differs at\n  original: %.120s\n  replayed: %.120s", f->id,
		             (unsigned long long)seed, p, q);
	}
	free(a);
	free(b);
	eng_free(e);
	eng_free(r);
	log_free(&l);
}

START_TEST(test_replay_property_route_form)
{
	struct form *f = load(route_form);
	uint64_t s;

	for (s = 1; s <= 200; s++)
		property_run(f, s, 120);
	form_free(f);
}
END_TEST

START_TEST(test_replay_property_generated)
{
	char *src = genform(400, 5);
	struct form *f = load(src);
	uint64_t s;

	for (s = 1; s <= 30; s++)
		property_run(f, s, 600);
	form_free(f);
	free(src);
}
END_TEST


/* Shipped forms ------------------------------------------------------------------------------ */

static struct form *load_file(const char *path)
{
	struct form_diags d;
	struct err e;
	struct form *f;

	form_diags_init(&d);
	err_init(&e);
	f = form_load(path, &d, &e);
	ck_assert_msg(f != NULL, "%s: %s %s", path, e.msg, d.n ? d.v[0].msg : "");
	form_diags_release(&d);
	return f;
}

/*
 * Run a form with case fields "k=v k=v" and answers "q=v;q=v" (q[2]=v for loops; plain q answers
 * every iteration); soft checks are confirmed, info screens passed. Returns the route as
 * "q1 q2 ... END:outcome" (or "... STOP:q" / "... HARD"), malloc'd.
 */
static char *route_of(const struct form *f, const char *fields, const char *answers)
{
	const char *names[32], *values[32];
	char fb[512], ab[2048], *p, *tok, *save = NULL;
	struct eng_case c;
	struct eng *e;
	struct buf out;
	int n = 0, guard;

	snprintf(fb, sizeof fb, "%s", fields);
	for (tok = strtok_r(fb, " ", &save); tok && n < 32; tok = strtok_r(NULL, " ", &save)) {
		p = strchr(tok, '=');
		*p = '\0';
		names[n] = tok;
		values[n++] = p + 1;
	}
	c.n = n;
	c.names = names;
	c.values = values;
	c.seed = 1;
	e = eng_new(f, &c, 0, NULL);
	buf_init(&out);
	for (guard = 0; guard < 500; guard++) {
		const struct eng_screen *sc = eng_screen(e);
		char key[96], *hit = NULL;

		if (sc->kind == ENG_SCREEN_END) {
			buf_printf(&out, "END:%s", sc->outcome);
			break;
		}
		if (sc->kind == ENG_SCREEN_CHECK) {
			if (sc->hard) {
				buf_puts(&out, "HARD");
				break;
			}
			buf_puts(&out, "soft ");
			eng_confirm(e);
			continue;
		}
		if (sc->iter)
			buf_printf(&out, "%s[%d] ", sc->qid, sc->iter);
		else
			buf_printf(&out, "%s ", sc->qid);
		if (sc->qtype == FORM_Q_INFO) {
			eng_next(e);
			continue;
		}
		/* the answer for this question: q[iter]= first, then q= */
		snprintf(ab, sizeof ab, ";%s;", answers);
		snprintf(key, sizeof key, ";%s[%d]=", sc->qid, sc->iter);
		hit = strstr(ab, key);
		if (!hit) {
			snprintf(key, sizeof key, ";%s=", sc->qid);
			hit = strstr(ab, key);
		}
		if (!hit) {
			buf_printf(&out, "STOP:%s", sc->qid);
			break;
		}
		hit += strlen(key);
		*strchr(hit, ';') = '\0';
		ck_assert_msg(eng_answer_text(e, hit) != ENG_INVALID, "%s: '%s' refused: %s", sc->qid, hit,
		              eng_message(e));
	}
	eng_free(e);
	return buf_detach(&out);
}

static const struct {
	const char *form, *fields, *answers, *route;
} routes[] = {
	/* jobseeker: refusal, no contact, a full route with the add-on, one without counselling */
	{ "forms/cms_jobseeker.form", "region=9 custtype=1 addon=0 months_registered=3", "consent=2",
	  "intro consent END:refused_interview" },
	{ "forms/cms_jobseeker.form", "region=9 custtype=1 addon=0 months_registered=3", "consent=1;contact=no",
	  "intro consent contact END:no_contact" },
	{ "forms/cms_jobseeker.form", "region=7 custtype=2 addon=1 months_registered=30",
	  "consent=1;contact=yes;channels=1,2;sat_registration=2;had_adviser=yes;adviser=1,2,2,1;sat_adviser=2;"
	  "offers=3;offers_fit=3;applied=yes;training=yes;course=welding;sat_course=1;course_use=1;"
	  "sat_overall=5;why_not=too slow;knows_hotline=yes;sat_hotline=2;age=45",
	  "intro consent contact channels sat_registration had_adviser adviser sat_adviser offers offers_fit "
	  "applied training course sat_course course_use sat_overall why_not regional_intro knows_hotline "
	  "sat_hotline age END:complete" },
	{ "forms/cms_jobseeker.form", "region=3 custtype=3 addon=0 months_registered=60",
	  "consent=1;contact=yes;channels=3;sat_registration=1;had_adviser=no;offers=0;training=no;"
	  "sat_overall=1;age=19",
	  "intro consent contact channels sat_registration had_adviser offers training sat_overall age soft END:complete" },
	{ "forms/cms_jobseeker.form", "region=3 custtype=3 addon=0 months_registered=6",
	  "consent=1;contact=yes;channels=3;sat_registration=1;had_adviser=no;offers=0;training=no;"
	  "sat_overall=1;age=40",
	  "intro consent contact channels sat_registration had_adviser offers training sat_overall age HARD" },
	/* employer: the vacancy loop runs min(nvac, 3) times; screen-out without a vacancy */
	{ "forms/cms_employer.form", "size=2", "reported=no", "intro reported END:no_vacancy" },
	{ "forms/cms_employer.form", "size=4",
	  "reported=yes;how_reported=1;nvac=5;occupation=cook;proposed[1]=0;proposed=2;suitable=2;filled[1]=no;"
	  "filled=yes;filled_via=yes;speed=2;has_adviser=no;sat_overall=2;again=yes",
	  "intro reported how_reported nvac occupation[1] proposed[1] filled[1] occupation[2] proposed[2] "
	  "suitable[2] filled[2] filled_via[2] occupation[3] proposed[3] suitable[3] filled[3] filled_via[3] "
	  "speed has_adviser sat_overall again END:complete" },
	/* council: the skip over the transfer questions when resolved; screen-out */
	{ "forms/council_contact.form", "channel_logged=1", "contacted=dk", "intro contacted END:did_not_contact" },
	{ "forms/council_contact.form", "channel_logged=1",
	  "contacted=yes;contact_date=2026-11-02;reason=2;channel=1;wait_minutes=4,5;resolved=yes;right_person=yes;"
	  "problems=9;satisfaction=1",
	  "intro contacted contact_date reason channel wait_minutes resolved right_person problems satisfaction END:complete" },
	{ "forms/council_contact.form", "channel_logged=1",
	  "contacted=yes;contact_date=dk;reason=97;reason_other=noise;channel=3;resolved=no;passed=12;still_open=yes;"
	  "right_person=no;problems=1,3;satisfaction=5;improve=call back",
	  "intro contacted contact_date reason reason_other channel soft resolved passed soft still_open "
	  "right_person problems satisfaction improve END:complete" },
	/* job quality: the open question only when learning is rated low; the random group keeps 'pressure' third */
	{ "forms/ccc_job_quality.form", "site=1",
	  "role=1;tenure=2,5;hours=38;jq=1,1,1,1,1,1,1,1,1,1,1,1;calls_per_day=2;breaks=yes;pressure=3;training=no;"
	  "recommend=1;idea=more breaks",
	  "intro role tenure hours jq calls_per_day breaks pressure training recommend idea END:complete" },
	{ "forms/ccc_job_quality.form", "site=2",
	  "role=3;tenure=10;hours=8;jq=2,2,2,2,2,2,2,2,2,5,2,2;learning_why=listen;calls_per_day=4;breaks=no;"
	  "pressure=1;training=yes;recommend=2;idea=rf",
	  "intro role tenure hours jq learning_why calls_per_day breaks pressure training soft recommend idea END:complete" },
	/* demo */
	{ "forms/demo.form", "region=9", "contact=no", "intro contact END:no_contact" },
	{ "forms/demo.form", "region=9",
	  "contact=yes;visit=2026-05-02;overall=2;channel=2;wait=15;months=8;recommend=1",
	  "intro contact visit overall channel wait months recommend END:complete" },
	{ "forms/demo.form", "region=9",
	  "contact=yes;visit=dk;overall=6;why=rude;channel=1,2;adviser=6,6,dk;wait=2;months=70;recommend=4",
	  "intro contact visit overall why channel adviser wait months soft recommend END:complete" },
};

/* Quotas: region (a case field) x sex (a question), and a second quota over sat alone. */
static const char *const quota_form =
	"form qf\nlanguages en\n"
	"case region scale regions\ncase name\n"
	"scale regions\n 1 \"Vienna\"\n 2 \"Tyrol\"\n"
	"quota rs by region sex target 2\n cell 2 2 target 0\n say \"We have enough people like you.\"\n"
	"quota bysat by sat target 5 outcome sat_full\n say \"Enough.\"\n"
	"info hello\n say \"Hello\"\n"
	"single sex\n say \"Sex?\"\n 1 \"m\"\n 2 \"f\"\n"
	"integer age range 15..99\n say \"Age?\"\n"
	"single sat\n say \"Satisfied?\"\n 1 \"yes\"\n 2 \"no\"\n"
	"text why\n say \"Why?\"\n";

/* Full cells for the tests: listed as "quota=cell;"; every question asked is counted. */
struct qstate {
	char full[256];
	int asked;
	char last[64];
	int last_target;
};

static int q_full(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct qstate *s = ctx;
	char key[128];

	s->asked++;
	snprintf(s->last, sizeof s->last, "%s=%s", q->id, cell);
	s->last_target = target;
	snprintf(key, sizeof key, "%s=%s;", q->id, cell);
	return target == 0 || strstr(s->full, key) != NULL;
}

static struct eng *qstart(const struct form *f, const char *region, struct qstate *qs)
{
	static const char *const names[] = { "region", "name" };
	const char *values[] = { region, "Anna" };
	struct eng_case c = { 2, names, values, 1 };
	struct eng_env env = { NULL, NULL, NULL, NULL, q_full, qs };

	return eng_new(f, &c, 0, &env);
}

struct cells_seen {
	char s[256];
};

static void collect_cell(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct cells_seen *c = ctx;
	size_t n = strlen(c->s);
	snprintf(c->s + n, sizeof c->s - n, "%s=%s:%d;", q->id, cell, target);
}

START_TEST(test_quota_screenout)
{
	struct form *f = load(quota_form);
	struct qstate qs;
	struct cells_seen cs;
	const struct eng_screen *sc;
	struct eng *e;

	/* an open cell: asked once when it becomes known (after sex), never again */
	memset(&qs, 0, sizeof qs);
	e = qstart(f, "1", &qs);
	at(e, "hello", 0);
	ck_assert_int_eq(qs.asked, 0);
	ans(e, "", ENG_OK);
	ans(e, "1", ENG_OK);
	ck_assert_int_eq(qs.asked, 1);
	ck_assert_str_eq(qs.last, "rs=1,1");
	ck_assert_int_eq(qs.last_target, 2);
	at(e, "age", 0);
	ans(e, "40", ENG_OK);
	ans(e, "1", ENG_OK);
	ck_assert_int_eq(qs.asked, 2);
	ck_assert_str_eq(qs.last, "bysat=1");
	ck_assert_int_eq(qs.last_target, 5);
	/* the rs cell filled meanwhile: an admitted interview goes on */
	snprintf(qs.full, sizeof qs.full, "rs=1,1;");
	ans(e, "just so", ENG_OK);
	ck_assert_int_eq(eng_status(e), ENG_COMPLETE);
	memset(&cs, 0, sizeof cs);
	eng_cells(e, collect_cell, &cs);
	ck_assert_str_eq(cs.s, "rs=1,1:2;bysat=1:5;");
	eng_free(e);

	/* a full cell ends the interview right where it becomes known, at the quota's ending */
	memset(&qs, 0, sizeof qs);
	snprintf(qs.full, sizeof qs.full, "rs=1,2;");
	e = qstart(f, "1", &qs);
	ans(e, "", ENG_OK);
	ans(e, "2", ENG_OK);
	sc = eng_screen(e);
	ck_assert_int_eq(sc->kind, ENG_SCREEN_END);
	ck_assert_int_eq(eng_status(e), ENG_SCREENED_OUT);
	ck_assert_str_eq(sc->outcome, "quota_full");
	ck_assert_str_eq(sc->quota, "rs");
	ck_assert_str_eq(sc->call_outcome, "quota_full");
	ck_assert_str_eq(sc->end_text, "We have enough people like you.");
	/* back and correct the answer: the other cell is open, the interview goes on */
	ck_assert_int_eq(eng_back(e), ENG_OK);
	at(e, "sex", 0);
	ans(e, "1", ENG_OK);
	at(e, "age", 0);
	ck_assert_ptr_null(eng_screen(e)->quota);
	eng_free(e);

	/* a cell with target 0 in the form; a named outcome on the second quota */
	memset(&qs, 0, sizeof qs);
	e = qstart(f, "2", &qs);
	ans(e, "", ENG_OK);
	ans(e, "2", ENG_OK);
	ck_assert_int_eq(qs.last_target, 0);
	ck_assert_str_eq(eng_screen(e)->outcome, "quota_full");
	eng_free(e);
	memset(&qs, 0, sizeof qs);
	snprintf(qs.full, sizeof qs.full, "bysat=2;");
	e = qstart(f, "2", &qs);
	ans(e, "", ENG_OK);
	ans(e, "1", ENG_OK);
	ans(e, "33", ENG_OK);
	ans(e, "2", ENG_OK);
	ck_assert_str_eq(eng_screen(e)->outcome, "sat_full");
	ck_assert_str_eq(eng_screen(e)->quota, "bysat");
	ck_assert_str_eq(eng_screen(e)->call_outcome, "quota_full");
	memset(&cs, 0, sizeof cs);
	eng_cells(e, collect_cell, &cs);
	ck_assert_str_eq(cs.s, "rs=2,1:2;bysat=2:5;");
	eng_free(e);

	/* without a quota oracle nothing is ever full */
	e = start(f, "2", 1);
	ans(e, "", ENG_OK);
	ans(e, "2", ENG_OK);
	at(e, "age", 0);
	eng_free(e);
	form_free(f);
}
END_TEST

/* A quota over case fields only is decided before the first question. */
START_TEST(test_quota_case_fields)
{
	struct form *f = load(
		"form qc\nlanguages en\ncase region scale regions\n"
		"scale regions\n 1 \"Vienna\"\n 2 \"Tyrol\"\n"
		"quota reg by region target 10\n say \"Thank you.\"\n"
		"integer age range 15..99\n say \"Age?\"\n");
	struct qstate qs;
	struct eng *e;

	memset(&qs, 0, sizeof qs);
	snprintf(qs.full, sizeof qs.full, "reg=2;");
	e = qstart(f, "2", &qs);
	ck_assert_int_eq(eng_screen(e)->kind, ENG_SCREEN_END);
	ck_assert_str_eq(eng_screen(e)->quota, "reg");
	eng_free(e);
	e = qstart(f, "1", &qs);
	at(e, "age", 0);
	eng_free(e);
	/* no value for the field: the quota does not apply */
	e = qstart(f, "", &qs);
	at(e, "age", 0);
	eng_free(e);
	form_free(f);
}
END_TEST

START_TEST(test_shipped_routes)
{
	struct form *f = load_file(routes[_i].form);
	char *r = route_of(f, routes[_i].fields, routes[_i].answers);

	ck_assert_msg(!strcmp(r, routes[_i].route), "%s (%s):\n got  %s\n want %s", routes[_i].form,
	              routes[_i].answers, r, routes[_i].route);
	free(r);
	form_free(f);
}
END_TEST

static const char *const shipped[] = {
	"forms/cms_jobseeker.form", "forms/cms_employer.form", "forms/council_contact.form",
	"forms/ccc_job_quality.form", "forms/demo.form",
};

START_TEST(test_replay_property_shipped)
{
	struct form *f = load_file(shipped[_i]);
	uint64_t s;

	for (s = 1; s <= 150; s++)
		property_run(f, s, 150);
	form_free(f);
}
END_TEST

/* Walks collect their steps as one line of text, to compare with what the table expects. */
struct walk_log {
	char s[1024];
	char sat_label[64];
};

/* Append one walk step to the log. */
static void walk_log_step(void *ctx, const struct eng_walk_step *st)
{
	struct walk_log *l = ctx;
	size_t n = strlen(l->s);

	switch (st->kind) {
	case ENG_WALK_ANSWER:
		if (st->iter)
			snprintf(l->s + n, sizeof l->s - n, "%s[%d]=%s ", st->qid, st->iter, st->value);
		else
			snprintf(l->s + n, sizeof l->s - n, "%s=%s ", st->qid, st->value);
		if (!strcmp(st->qid, "sat"))
			snprintf(l->sat_label, sizeof l->sat_label, "%s", st->label);
		break;
	case ENG_WALK_INFO:
		snprintf(l->s + n, sizeof l->s - n, "info:%s ", st->qid);
		break;
	case ENG_WALK_CHECK:
		snprintf(l->s + n, sizeof l->s - n, "check:%s ", st->screen->hard ? "hard" : "soft");
		break;
	case ENG_WALK_END:
		snprintf(l->s + n, sizeof l->s - n, "end:%s", st->screen->outcome);
		break;
	case ENG_WALK_NO_ANSWER:
		snprintf(l->s + n, sizeof l->s - n, "stop:%s", st->qid);
		break;
	case ENG_WALK_REFUSED:
		snprintf(l->s + n, sizeof l->s - n, "refused:%s:%s", st->given->name,
		         *st->message ? "why" : "");
		break;
	case ENG_WALK_ENDLESS:
		snprintf(l->s + n, sizeof l->s - n, "endless");
		break;
	}
}

/* A walk's log with the quota and cell that ended it. */
struct quota_log {
	struct walk_log l;
	char quota[32], cell[32];
};

/* Log one walk step, noting the full quota cell at the end. */
static void quota_step(void *ctx, const struct eng_walk_step *st)
{
	struct quota_log *ql = ctx;

	walk_log_step(&ql->l, st);
	if (st->kind == ENG_WALK_END && st->screen->quota) {
		snprintf(ql->quota, sizeof ql->quota, "%s", st->screen->quota);
		snprintf(ql->cell, sizeof ql->cell, "%s", st->quota_cell ? st->quota_cell : "?");
	}
}

/* eng_walk answers from the script, confirms soft checks, and says where and why it stops. */
START_TEST(test_walk_scripted)
{
	static const struct {
		const char *answers;   /* name=value, space-separated */
		enum eng_walk_kind last;
		const char *log;
	} cases[] = {
		{ "contact=2", ENG_WALK_END, "contact=2 end:no_contact" },
		{ "contact=1", ENG_WALK_NO_ANSWER, "contact=1 stop:sat" },
		{ "contact=1 sat=3 why=slow vq=5 age=20 months=100 kids=2 kage=3 kage[2]=4 total=1",
		  ENG_WALK_CHECK,
		  "contact=1 sat=3 why=slow vq=5 age=20 months=100 check:soft kids=2 kage[1]=3 kage[2]=4 "
		  "total=1 check:hard " },
		{ "contact=1 sat=1 vq=5 age=40 months=10 kids=0 total=3 ch=98 unused=1", ENG_WALK_END,
		  "contact=1 sat=1 vq=5 age=40 months=10 kids=0 total=3 ch=98 info:bye end:complete" },
		{ "contact=1 sat=1 vq=5 age=abc", ENG_WALK_REFUSED,
		  "contact=1 sat=1 vq=5 refused:age:why" },
	};
	static const char *const names[] = { "region", "name" };
	const char *values[] = { "1", "Anna" };
	struct eng_case c = { 2, names, values, 1 };
	struct form *f = load(route_form);
	size_t k;

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct eng_given g[16];
		char buf[256], *p, *save = NULL;
		struct walk_log l;
		int n = 0, i;

		memset(g, 0, sizeof g);
		memset(&l, 0, sizeof l);
		snprintf(buf, sizeof buf, "%s", cases[k].answers);
		for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(p, '=');
			*eq = '\0';
			g[n].name = p;
			g[n++].value = eq + 1;
		}
		ck_assert_int_eq(eng_walk(f, &c, 0, NULL, g, n, walk_log_step, &l), cases[k].last);
		ck_assert_str_eq(l.s, cases[k].log);
		for (i = 0; i < n; i++)
			ck_assert_int_eq(g[i].used, strcmp(g[i].name, "unused") != 0);
		if (k == 2)
			ck_assert_str_eq(l.sat_label, "not");
	}
	form_free(f);
}
END_TEST

/* A quota form for the tools: sex cells of target 3, region 2 closed (target 0). */
static const char *const tool_quota_form =
	"form qt\nlanguages en\ncase region scale regions\n"
	"scale regions\n 1 \"North\"\n 2 \"South\"\n"
	"quota bysex by sex target 3\n say \"Enough men or women.\"\n"
	"quota byregion by region target 100 outcome region_full\n cell 2 target 0\n say \"Region full.\"\n"
	"yesno contact\n say \"Contact?\"\n"
	"screenout no_contact if contact = no\n"
	"single sex\n say \"Sex?\"\n 1 \"male\"\n 2 \"female\"\n"
	"single job\n say \"Job?\"\n 1 \"yes\"\n 2 \"no\"\n";

/* eng_walk ends at a full cell where an interview would, with the quota and cell in the END step. */
START_TEST(test_walk_quota)
{
	static const struct {
		const char *region;
		long men;              /* completes already in the men's cell; -1: no tally */
		enum eng_walk_kind last;
		const char *log;
		const char *quota, *cell;
	} cases[] = {
		{ "1", 0, ENG_WALK_END, "contact=1 sex=1 job=2 end:complete", NULL, NULL },
		{ "1", 2, ENG_WALK_END, "contact=1 sex=1 job=2 end:complete", NULL, NULL },
		{ "1", 3, ENG_WALK_END, "contact=1 sex=1 end:quota_full", "bysex", "1" },
		{ "1", 9, ENG_WALK_END, "contact=1 sex=1 end:quota_full", "bysex", "1" },
		{ "2", 0, ENG_WALK_END, "end:region_full", "byregion", "2" },
		{ "2", -1, ENG_WALK_END, "contact=1 sex=1 job=2 end:complete", NULL, NULL },
	};
	static const char *const names[] = { "region" };
	struct form *f = load(tool_quota_form);
	size_t k;

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct eng_given g[] = { { "contact", "yes", 0 }, { "sex", "1", 0 }, { "job", "2", 0 } };
		const char *values[] = { cases[k].region };
		struct eng_case c = { 1, names, values, 1 };
		struct eng_tally *t = cases[k].men < 0 ? NULL : eng_tally_new(f);
		struct quota_log ql;
		struct walk_log *l = &ql.l;

		memset(&ql, 0, sizeof ql);
		if (t)
			eng_tally_set(t, 0, "1", cases[k].men);
		ck_assert_int_eq(eng_walk(f, &c, 0, t, g, 3, quota_step, &ql), cases[k].last);
		ck_assert_str_eq(l->s, cases[k].log);
		ck_assert_str_eq(ql.quota, cases[k].quota ? cases[k].quota : "");
		ck_assert_str_eq(ql.cell, cases[k].cell ? cases[k].cell : "");
		eng_tally_free(t);
	}
	form_free(f);
}
END_TEST

/*
 * eng_simulate fills cells as it goes: worked by hand, each sex cell takes exactly 3 completes
 * (less what was counted before), region 2 turns every case away, and the endings add up.
 */
START_TEST(test_simulate_quota)
{
	static const struct {
		long men, women;       /* completes counted before */
		long completes;        /* expected at the end */
	} cases[] = { { 0, 0, 6 }, { 2, 0, 4 }, { 3, 3, 0 }, { 5, 1, 2 } };
	struct form *f = load(tool_quota_form);
	size_t k;

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct eng_tally *t = eng_tally_new(f);
		struct eng_sim st;
		long done[4], ended[4], byend[4] = { 0, 0, 0, 0 };
		int i, contact = f->first;

		eng_tally_set(t, 0, "1", cases[k].men);
		eng_tally_set(t, 0, "2", cases[k].women);
		eng_simulate(f, 2000, 11, t, &st);
		eng_tally_get(t, 0, "1", &done[0], &ended[0]);
		eng_tally_get(t, 0, "2", &done[1], &ended[1]);
		eng_tally_get(t, 1, "1", &done[2], &ended[2]);
		eng_tally_get(t, 1, "2", &done[3], &ended[3]);
		for (i = 0; i < st.noutcomes; i++) {
			if (!strcmp(st.outcomes[i], "complete"))
				byend[0] = st.outcome_n[i];
			else if (!strcmp(st.outcomes[i], "quota_full"))
				byend[1] = st.outcome_n[i];
			else if (!strcmp(st.outcomes[i], "region_full"))
				byend[2] = st.outcome_n[i];
			else if (!strcmp(st.outcomes[i], "no_contact"))
				byend[3] = st.outcome_n[i];
		}
		/* a cell never goes below what was counted, and fills to its target of 3 */
		ck_assert_int_eq(done[0], cases[k].men > 3 ? cases[k].men : 3);
		ck_assert_int_eq(done[1], cases[k].women > 3 ? cases[k].women : 3);
		ck_assert_int_eq(byend[0], cases[k].completes);
		ck_assert_int_eq(done[2], cases[k].completes);
		ck_assert_int_eq(done[3], 0);
		ck_assert_int_eq(byend[2], ended[3]);
		ck_assert_int_eq(byend[1], ended[0] + ended[1]);
		ck_assert_int_eq(st.reached[contact] + ended[3], 2000);
		ck_assert_int_eq(byend[0] + byend[1] + byend[2] + byend[3] + st.stuck, 2000);
		eng_sim_release(&st);
		eng_tally_free(t);
	}
	form_free(f);
}
END_TEST

/* eng_simulate counts every interview once, the same way for the same seed. */
START_TEST(test_simulate_counts)
{
	struct form *f = load(route_form);
	struct eng_sim a, b;
	long total;
	int i, first = f->first;
	uint64_t rng = 5;
	const char *names[4];
	char *values[4];

	eng_simulate(f, 300, 7, NULL, &a);
	eng_simulate(f, 300, 7, NULL, &b);
	ck_assert_int_eq(a.noutcomes, b.noutcomes);
	total = a.stuck;
	for (i = 0; i < a.noutcomes; i++) {
		ck_assert_str_eq(a.outcomes[i], b.outcomes[i]);
		ck_assert_int_eq(a.outcome_n[i], b.outcome_n[i]);
		total += a.outcome_n[i];
	}
	ck_assert_int_eq(total, 300);
	ck_assert_int_eq(a.reached[first], 300);
	ck_assert_int_eq(a.shortest_seed, b.shortest_seed);
	ck_assert_int_le(a.shortest, a.longest);
	eng_sim_release(&a);
	eng_sim_release(&b);

	ck_assert_int_eq(eng_random_case(f, &rng, names, values), 2);
	ck_assert_str_eq(names[0], "region");
	ck_assert(!strcmp(values[0], "1") || !strcmp(values[0], "2"));
	ck_assert_uint_ne(rng, 5);
	free(values[0]);
	free(values[1]);
	form_free(f);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_basic_route_and_fills);
	tcase_add_test(tc, test_screenout);
	tcase_add_test(tc, test_end_call_outcome);
	tcase_add_test(tc, test_quota_screenout);
	tcase_add_test(tc, test_quota_case_fields);
	tcase_add_test(tc, test_branch_disappears_and_returns);
	tcase_add_test(tc, test_loop_lowered);
	tcase_add_test(tc, test_soft_check_confirmed_then_invalidated);
	tcase_add_test(tc, test_hard_check);
	tcase_add_test(tc, test_validation);
	tcase_add_test(tc, test_refusal_languages);
	tcase_add_loop_test(tc, test_typed_answers, 0, (int)(sizeof typed_answers / sizeof typed_answers[0]));
	tcase_add_test(tc, test_random_choices_reproducible);
	tcase_add_test(tc, test_random_group_fixed);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_replay_property_route_form);
	tcase_add_test(tc, test_replay_property_generated);
	tcase_add_test(tc, test_walk_scripted);
	tcase_add_test(tc, test_simulate_counts);
	tcase_add_test(tc, test_walk_quota);
	tcase_add_test(tc, test_simulate_quota);
	tcase_add_loop_test(tc, test_shipped_routes, 0, (int)(sizeof routes / sizeof routes[0]));
	tcase_add_loop_test(tc, test_replay_property_shipped, 0, (int)(sizeof shipped / sizeof shipped[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
