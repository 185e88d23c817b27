/* check_input.c: what keys do on the interview screen, through the engine, without a terminal. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/keys.h"
#include "cati/view.h"

static const char *const src =
	"form k\n"
	"languages en\n"
	"scale sat\n"
	"  1 en \"very\"\n"
	"  2 en \"rather\"\n"
	"  3 en \"not\"\n"
	"yesno contact\n"
	"  say en \"Contact?\"\n"
	"single overall sat dk rf\n"
	"  say en \"How satisfied?\"\n"
	"multi channel min 1 max 3\n"
	"  say en \"How?\"\n"
	"  1 en \"phone\"\n"
	"  2 en \"mail\"\n"
	"  98 en \"none\" exclusive\n"
	"grid adviser sat random\n"
	"  say en \"Adviser?\"\n"
	"  item a en \"time\"\n"
	"  item b en \"knowledge\"\n"
	"  item c en \"offers\"\n"
	"text why max 20\n"
	"  say en \"Why?\"\n";

struct t {
	struct form *f;
	struct eng *e;
	struct view_input in;
	char shown[64];
	int shown_iter, shown_kind;
	char msg[sizeof ((struct view_cmd *)0)->message];
};

static void setup(struct t *t)
{
	struct form_diags d;
	struct eng_case c = { 0, NULL, NULL, 7 };

	memset(t, 0, sizeof *t);
	form_diags_init(&d);
	t->f = form_compile("k.form", src, strlen(src), &d);
	ck_assert_msg(t->f != NULL, "%s", d.n ? d.v[0].msg : "?");
	form_diags_release(&d);
	t->e = eng_new(t->f, &c, 0, NULL);
	view_input_reset(&t->in, eng_screen(t->e));
	t->shown_kind = -1;
}

static void teardown(struct t *t)
{
	eng_free(t->e);
	form_free(t->f);
}

/* Press keys (a string: printable as themselves, \r Enter, \x01 Up, \x02 Down, \x03 PgUp). */
static void press(struct t *t, const char *keys)
{
	const char *p;

	for (p = keys; *p; p++) {
		const struct eng_screen *sc = eng_screen(t->e);
		struct view_cmd cmd;
		int k = *p == '\r' ? TK_ENTER : *p == 1 ? TK_UP : *p == 2 ? TK_DOWN : *p == 3 ? TK_PGUP
		      : *p == 4 ? TK_CTRL_R : *p == 5 ? TK_RIGHT : (unsigned char)*p;

		view_input_key(sc, &t->in, k, &cmd);
		snprintf(t->msg, sizeof t->msg, "%s", cmd.message);
		switch (cmd.kind) {
		case VIEW_CMD_ANSWER: eng_answer(t->e, &cmd.answer); break;
		case VIEW_CMD_TYPED: eng_answer_text(t->e, cmd.text); break;
		case VIEW_CMD_NEXT: eng_next(t->e); break;
		case VIEW_CMD_BACK: eng_back(t->e); break;
		default: break;
		}
		if (eng_message(t->e)[0])
			snprintf(t->msg, sizeof t->msg, "%s", eng_message(t->e));
		sc = eng_screen(t->e);
		if ((int)sc->kind != t->shown_kind || (sc->kind == ENG_SCREEN_QUESTION && strcmp(sc->qid, t->shown))) {
			t->shown_kind = (int)sc->kind;
			snprintf(t->shown, sizeof t->shown, "%s", sc->kind == ENG_SCREEN_QUESTION ? sc->qid : "");
			view_input_reset(&t->in, sc);
		}
	}
}

/* The stored answer to qid as text ("-" when none). */
static const char *answer(struct t *t, const char *qid)
{
	enum form_vstate st;
	const char *v;
	int on;

	if (!eng_get(t->e, qid, 0, &st, &v, &on))
		return "-";
	return st == FORM_S_DK ? "dk" : st == FORM_S_RF ? "rf" : v;
}

static const char *where(struct t *t)
{
	const struct eng_screen *sc = eng_screen(t->e);
	return sc->kind == ENG_SCREEN_QUESTION ? sc->qid : "end";
}

/* Defect 1: a bare Enter answers nothing, on yes/no and single choice. */
START_TEST(test_bare_enter)
{
	struct t t;

	setup(&t);
	press(&t, "\r");
	ck_assert_str_eq(answer(&t, "contact"), "-");
	ck_assert_str_eq(where(&t), "contact");
	ck_assert_msg(strstr(t.msg, "Choose an answer first") != NULL, "%s", t.msg);
	press(&t, "1\r");
	ck_assert_str_eq(answer(&t, "overall"), "-");
	ck_assert_str_eq(where(&t), "overall");
	/* a refused answer shown again: Enter keeps it refused */
	press(&t, "\x04");
	ck_assert_str_eq(answer(&t, "overall"), "rf");
	press(&t, "\x03");
	ck_assert_str_eq(where(&t), "overall");
	press(&t, "\r");
	ck_assert_str_eq(answer(&t, "overall"), "rf");
	ck_assert_str_eq(where(&t), "channel");
	teardown(&t);
}
END_TEST

/* Defect 2: the arrows onto the first choice, then Enter, take the first choice. */
START_TEST(test_arrow_first)
{
	struct t t;

	setup(&t);
	press(&t, "1");                 /* contact yes */
	press(&t, "\x03\x02\r");        /* back, Down, Enter: no */
	ck_assert_str_eq(answer(&t, "contact"), "2");
	press(&t, "\x03\x01\r");        /* back, Up onto "1 yes", Enter */
	ck_assert_str_eq(answer(&t, "contact"), "1");
	ck_assert_str_eq(where(&t), "overall");
	/* Enter on a shown answer without moving keeps it */
	press(&t, "3\x03\r");
	ck_assert_str_eq(answer(&t, "overall"), "3");
	ck_assert_str_eq(where(&t), "channel");
	teardown(&t);
}
END_TEST

/* Exclusive choices stand alone; a grid in random order is stored in the form's order. */
START_TEST(test_multi_grid)
{
	struct t t;
	const struct eng_screen *sc;
	char want[16];
	int i, codes[3];

	setup(&t);
	press(&t, "11");
	ck_assert_str_eq(where(&t), "channel");
	press(&t, "\r");
	ck_assert_str_eq(answer(&t, "channel"), "-");    /* nothing toggled: nothing stored */
	press(&t, "1298");                               /* none of these: the others go */
	ck_assert_int_eq(t.in.nsel, 1);
	ck_assert_int_eq(t.in.sel[0], 98);
	press(&t, "12\r");
	ck_assert_str_eq(answer(&t, "channel"), "1,2");
	sc = eng_screen(t.e);
	ck_assert_str_eq(sc->qid, "adviser");
	/* cells typed in display order 1, 2, 3 */
	for (i = 0; i < 3; i++)
		codes[sc->items[i].index] = i + 1;
	press(&t, "123\r");
	snprintf(want, sizeof want, "%d,%d,%d", codes[0], codes[1], codes[2]);
	ck_assert_str_eq(answer(&t, "adviser"), want);
	teardown(&t);
}
END_TEST

/* The line editor never leaves the line or splits a character. */
START_TEST(test_edit)
{
	char line[8] = "";
	int cur = 0, i;

	for (i = 0; i < 10; i++)
		view_edit(line, sizeof line, &cur, 0xFC);     /* ü: two bytes each, room for three */
	ck_assert_str_eq(line, "\xC3\xBC\xC3\xBC\xC3\xBC");
	ck_assert_int_eq(cur, 6);
	cur = 5;                                             /* inside a character */
	view_edit(line, sizeof line, &cur, TK_BS);
	ck_assert_str_eq(line, "\xC3\xBC\xC3\xBC");
	ck_assert_int_eq(cur, 2);
	cur = 99;                                            /* past the end */
	view_edit(line, sizeof line, &cur, 'a');
	ck_assert_str_eq(line, "\xC3\xBC\xC3\xBC" "a");
	view_edit(line, sizeof line, &cur, 7);               /* a control character is no text */
	ck_assert_str_eq(line, "\xC3\xBC\xC3\xBC" "a");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("keys");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_bare_enter);
	tcase_add_test(tc, test_arrow_first);
	tcase_add_test(tc, test_multi_grid);
	tcase_add_test(tc, test_edit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
