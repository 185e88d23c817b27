/* check_view.c: the screen layout as text, without a terminal. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "cati/keys.h"
#include "cati/report.h"
#include "cati/view.h"

struct lines {
	char v[64][256];
	int n;
};

static void collect(void *ctx, const char *line, size_t n)
{
	struct lines *l = ctx;

	if (l->n < 64)
		snprintf(l->v[l->n++], 256, "%.*s", (int)n, line);
}

START_TEST(test_width)
{
	ck_assert_int_eq(view_width("Größe", strlen("Größe")), 5);
	ck_assert_int_eq(view_width("abc", 3), 3);
	ck_assert_int_eq(view_width("\xE4\xB8\xAD", 3), 2);    /* a CJK character is two columns */
	ck_assert_int_eq(view_width("e\xCC\x81", 3), 1);       /* e + combining accent */
	ck_assert_int_eq(view_width("\xF0\x9F\x98\x80", 4), 2);  /* an emoji is two columns */
	ck_assert_int_eq(view_width("\xE2\x80\xA6", 3), 1);    /* … */
}
END_TEST

/* The locales the width tests run in: the real one, and C, where wcwidth knows only ASCII. */
static const char *const locales[] = { "C.UTF-8", "C" };

/* Cells of an exact width: padded, or cut with an ellipsis, never inside a character. */
static const struct {
	const char *text;
	int width;
	const char *want;
} cells[] = {
	{ "abc", 5, "abc  " },
	{ "abcde", 5, "abcde" },                       /* exact fit */
	{ "abcdef", 5, "abcd\xE2\x80\xA6" },          /* one too long */
	{ "", 3, "   " },
	{ "abc", 1, "\xE2\x80\xA6" },
	{ "a", 1, "a" },
	{ "abc", 0, "" },
	{ "M\xC3\xBCller", 6, "M\xC3\xBCller" },           /* precomposed umlaut */
	{ "M\xC3\xBCller", 8, "M\xC3\xBCller  " },
	{ "Hannes M\xC3\xBCller", 10, "Hannes M\xC3\xBC\xE2\x80\xA6" },
	{ "\xC3\x84nnchen Wei\xC3\x9F-\xC3\x9C" "berbach", 20,
	  "\xC3\x84nnchen Wei\xC3\x9F-\xC3\x9C" "berba\xE2\x80\xA6" },
	{ "\xC3\x84nnchen Wei\xC3\x9F-\xC3\x9C" "berba", 22,
	  "\xC3\x84nnchen Wei\xC3\x9F-\xC3\x9C" "berba   " },
	{ "Mu\xCC\x88ller", 6, "Mu\xCC\x88ller" },         /* u + combining diaeresis */
	{ "Mu\xCC\x88ller", 7, "Mu\xCC\x88ller " },
	{ "Mu\xCC\x88ller", 3, "Mu\xCC\x88\xE2\x80\xA6" }, /* the mark stays with its u */
	{ "Mu\xCC\x88ller", 2, "M\xE2\x80\xA6" },
	{ "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", 6, "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97" },
	{ "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", 7, "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97 " },
	{ "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", 5, "\xE4\xB8\xAD\xE6\x96\x87\xE2\x80\xA6" },
	{ "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", 4, "\xE4\xB8\xAD\xE2\x80\xA6 " }, /* no half character */
	{ "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80\xF0\x9F\x98\x80" },
	{ "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3, "\xF0\x9F\x98\x80\xE2\x80\xA6" },
	{ "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 2, "\xE2\x80\xA6 " },
};

START_TEST(test_cell)
{
	char *old = xstrdup(setlocale(LC_CTYPE, NULL));
	struct buf b;
	size_t i;

	if (!setlocale(LC_CTYPE, locales[_i]) && _i == 0)
		setlocale(LC_CTYPE, "C.utf8");
	buf_init(&b);
	for (i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		buf_reset(&b);
		buf_puts(&b, "|");
		view_cell(&b, cells[i].text, cells[i].width);
		ck_assert_msg(!strcmp(buf_str(&b) + 1, cells[i].want), "%s: '%s' in %d columns: '%s', want '%s'",
		              locales[_i], cells[i].text, cells[i].width, buf_str(&b) + 1, cells[i].want);
		ck_assert_int_eq(view_width(b.data + 1, b.len - 1), cells[i].width > 0 ? cells[i].width : 0);
	}
	/* the widths a case list relies on */
	ck_assert_int_eq(view_width("Hannes M\xC3\xBCller", strlen("Hannes M\xC3\xBCller")), 13);
	ck_assert_int_eq(view_width("e\xCC\x88", 3), 1);
	ck_assert_int_eq(view_width("\xE4\xB8\xAD", 3), 2);
	buf_release(&b);
	setlocale(LC_CTYPE, old);
	free(old);
}
END_TEST

START_TEST(test_wrap)
{
	const char *text = "Wie zufrieden sind Sie alles in allem mit der Geschäftsstelle Wien Hauptbahnhof?";
	struct lines l = { .n = 0 };
	struct buf joined;
	int i;

	view_wrap(text, 20, collect, &l);
	ck_assert_int_ge(l.n, 4);
	buf_init(&joined);
	for (i = 0; i < l.n; i++) {
		ck_assert_int_le(view_width(l.v[i], strlen(l.v[i])), 20);
		buf_printf(&joined, "%s%s", i ? " " : "", l.v[i]);
	}
	ck_assert_str_eq(buf_str(&joined), text);   /* nothing lost, words kept whole */
	buf_release(&joined);
	/* a word longer than the width is broken, not dropped */
	l.n = 0;
	view_wrap("Donaudampfschifffahrtsgesellschaftskapitän", 10, collect, &l);
	ck_assert_int_eq(l.n, 5);
	ck_assert_str_eq(l.v[4], "än");
	/* new lines in the text start new lines */
	l.n = 0;
	view_wrap("one\ntwo", 40, collect, &l);
	ck_assert_int_eq(l.n, 2);
	ck_assert_str_eq(l.v[1], "two");
}
END_TEST

/* A question screen with n choices, the highlight on choice hl. */
static void make_screen(struct eng_screen *sc, struct eng_choice_view *ch, int n, const char *text)
{
	static char labels[64][64];
	int i;

	memset(sc, 0, sizeof *sc);
	memset(ch, 0, sizeof *ch * (size_t)n);
	sc->kind = ENG_SCREEN_QUESTION;
	sc->qid = "q3";
	sc->qtype = FORM_Q_SINGLE;
	sc->text = text;
	sc->note = "Read out the scale.";
	sc->value = "";
	sc->position = 3;
	sc->estimate = 10;
	sc->nchoices = n;
	sc->choices = ch;
	for (i = 0; i < n; i++) {
		snprintf(labels[i], sizeof labels[i], "choice number %d", i + 1);
		ch[i].code = i + 1;
		ch[i].label = labels[i];
	}
}

static int find(const struct view *v, const char *s)
{
	int i;

	for (i = 0; i < v->height; i++)
		if (strstr(v->lines[i].text, s))
			return i;
	return -1;
}

START_TEST(test_interview_80x24)
{
	struct eng_screen sc;
	struct eng_choice_view ch[6];
	struct view_input in;
	struct view_status st = { "K1", "anna", "q3", 0, 125, 3, 10, "de", 0, 7 };
	struct view v;
	int i, r;

	make_screen(&sc, ch, 6, "All in all, how satisfied are you with the office? This question is long enough "
	                        "that it must wrap over more than one line at eighty columns, and it must not be cut.");
	memset(&in, 0, sizeof in);
	in.highlight = 2;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "a message");
	ck_assert_int_eq(v.lines[0].style, VIEW_BAR);
	ck_assert_ptr_nonnull(strstr(v.lines[0].text, "K1"));
	ck_assert_ptr_nonnull(strstr(v.lines[0].text, "02:05"));
	ck_assert_ptr_nonnull(strstr(v.lines[0].text, "q3 Q 3 of ~10"));
	ck_assert_ptr_nonnull(strstr(v.lines[0].text, "offline, 7 waiting"));
	/* nothing on the help page is cut short */
	for (i = 0; i < v.height; i++)
		ck_assert_msg(!strstr(v.lines[i].text, "\xE2\x80\xA6"), "line %d cut: %s", i, v.lines[i].text);
	/* read-aloud text and instruction are styled apart */
	r = find(&v, "All in all");
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(v.lines[r].style, VIEW_READ);
	ck_assert_int_ge(find(&v, "must not be cut."), 0);
	r = find(&v, "Read out the scale.");
	ck_assert_int_eq(v.lines[r].style, VIEW_NOTE);
	ck_assert_ptr_nonnull(strstr(v.lines[r].text, "\xC2\xBB"));
	r = find(&v, "choice number 3");
	ck_assert_int_eq(v.lines[r].style, VIEW_CURSOR);
	ck_assert_int_ge(find(&v, "choice number 6"), 0);
	ck_assert_int_ge(find(&v, "a message"), 0);
	ck_assert_int_eq(v.lines[v.height - 1].style, VIEW_BAR);
	ck_assert_int_lt(find(&v, "^D dk"), 0);       /* the question allows no don't know */
	view_release(&v);
}
END_TEST

START_TEST(test_long_list_scrolls_with_marker)
{
	struct eng_screen sc;
	struct eng_choice_view ch[40];
	struct view_input in;
	struct view_status st = { "K1", "anna", "q3", 0, 5, 3, 10, "en", 0, 0 };
	struct view v;
	int r;

	make_screen(&sc, ch, 40, "Which one?");
	memset(&in, 0, sizeof in);
	in.highlight = 0;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	ck_assert_int_ge(find(&v, "more lines"), 0);   /* clipped, and it says so */
	ck_assert_int_lt(find(&v, "choice number 40"), 0);
	view_release(&v);
	/* the highlight far down stays visible, and what is above is marked */
	in.highlight = 35;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	r = find(&v, "choice number 36");
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(v.lines[r].style, VIEW_CURSOR);
	ck_assert_int_ge(find(&v, "above"), 0);
	view_release(&v);
	/* a tiny terminal does not break anything */
	view_init(&v, 20, 6);
	view_interview(&v, &sc, &in, &st, "a long message that is far wider than the screen");
	ck_assert_int_le(view_width(v.lines[4].text, strlen(v.lines[4].text)), 20);
	view_release(&v);
}
END_TEST

START_TEST(test_check_and_end_screens)
{
	struct eng_screen sc;
	struct eng_revisit rv[2] = { { "age", 0, "How old are you?" }, { "months", 0, "Months registered?" } };
	struct view_status st = { "K1", "anna", NULL, 0, 5, 3, 10, "en", 0, 0 };
	struct view v;

	memset(&sc, 0, sizeof sc);
	sc.kind = ENG_SCREEN_CHECK;
	sc.hard = 1;
	sc.message = "The household is smaller than the number of children.";
	sc.nrevisit = 2;
	sc.revisit = rv;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, NULL, &st, "");
	ck_assert_int_ge(find(&v, "CHECK: this must be corrected"), 0);
	ck_assert_int_ge(find(&v, "1  age: How old are you?"), 0);
	ck_assert_int_ge(find(&v, "2  months: Months registered?"), 0);
	ck_assert_int_ge(find(&v, "1-9 correct that question"), 0);
	view_release(&v);
	memset(&sc, 0, sizeof sc);
	sc.kind = ENG_SCREEN_END;
	sc.outcome = "no_contact";
	sc.end_text = "Thank you.";
	view_init(&v, 80, 24);
	view_interview(&v, &sc, NULL, &st, "");
	ck_assert_int_ge(find(&v, "screened out"), 0);
	ck_assert_int_ge(find(&v, "outcome: no_contact"), 0);
	ck_assert_int_ge(find(&v, "Thank you."), 0);
	view_release(&v);
}
END_TEST

/* A text question screen. */
static void make_text_screen(struct eng_screen *sc, enum form_qtype type, unsigned allow, const char *text)
{
	memset(sc, 0, sizeof *sc);
	sc->kind = ENG_SCREEN_QUESTION;
	sc->qid = "q9";
	sc->qtype = type;
	sc->text = text;
	sc->note = "";
	sc->value = "";
	sc->maxlen = 1000;
	sc->allow = allow;
	sc->position = 9;
	sc->estimate = 10;
}

/* The byte offset in s of display column col, or -1 when col falls inside a character. */
static int column_offset(const char *s, int col)
{
	size_t i = 0, n = strlen(s), k;

	while (view_width(s, i) < col && i < n) {
		k = 1;
		while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
			k++;
		i += k;
	}
	/* zero-width marks belong to the character before */
	return view_width(s, i) == col ? (int)i : -1;
}

/* The bytes of the character at s (with the combining marks that follow it). */
static size_t char_len(const char *s)
{
	size_t k = 1;

	while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80)
		k++;
	/* combining marks U+0300..U+036F */
	while ((unsigned char)s[k] == 0xCC || ((unsigned char)s[k] == 0xCD && (unsigned char)s[k + 1] < 0xB0))
		k += 2;
	return k;
}

/* The input as the screen shows it: the input lines joined, without their "> " prefix. */
static void shown_input(const struct view *v, struct buf *out)
{
	int i;

	for (i = 0; i < v->height; i++)
		if (v->lines[i].style == VIEW_INPUT)
			buf_puts(out, v->lines[i].text + 3);
}

/* Texts long enough to wrap at 80 columns: ASCII, and umlauts, CJK and a combining mark. */
static const char *const typed[] = {
	"The respondent says that the office was friendly but the waiting time was far too long, "
	"more than an hour on two visits",
	"Gr\xC3\xBC\xC3\x9F" "e aus \xC3\x96sterreich: die Wartezeit war l\xC3\xA4nger als eine Stunde, "
	"Beratung \xE4\xB8\xAD\xE6\x96\x87 gut, Caf\x65\xCC\x81 kalt, \xC3\xBC" "berall zu wenig Sitzpl\xC3\xA4tze",
};

START_TEST(test_input_cursor)
{
	struct eng_screen sc;
	struct view_input in;
	struct view_status st = { "K1", "anna", "q9", 0, 5, 9, 10, "de", 1, 0 };
	struct view v;
	struct buf shown;
	int height, first_row = -1, rows = 0, i;
	size_t len, pos[5], npos, p, wrap;

	for (height = 24; height >= 8; height -= 16) {
		memset(&in, 0, sizeof in);
		snprintf(in.line, sizeof in.line, "%s", typed[_i]);
		len = strlen(in.line);
		make_text_screen(&sc, FORM_Q_TEXT, 0, "What did the respondent say about the office? Note it in their words.");
		/* find where the input wraps */
		in.cursor = 0;
		view_init(&v, 80, height);
		view_interview(&v, &sc, &in, &st, "");
		buf_init(&shown);
		shown_input(&v, &shown);
		ck_assert_str_eq(buf_str(&shown), in.line);   /* every byte shown, in order */
		buf_release(&shown);
		for (i = 0, rows = 0; i < v.height; i++)
			if (v.lines[i].style == VIEW_INPUT) {
				if (!rows)
					first_row = i;
				rows++;
				ck_assert_int_le(view_width(v.lines[i].text, strlen(v.lines[i].text)), 80);
			}
		ck_assert_int_ge(rows, 2);
		wrap = strlen(v.lines[first_row].text + 3);   /* the first byte of the second line */
		view_release(&v);
		npos = 0;
		pos[npos++] = 0;
		pos[npos++] = wrap / 2;
		pos[npos++] = wrap - 1;
		pos[npos++] = wrap;
		pos[npos++] = len;
		for (p = 0; p < npos; p++) {
			const char *text;
			int off;

			while (pos[p] > 0 && pos[p] < len && ((unsigned char)in.line[pos[p]] & 0xC0) == 0x80)
				pos[p]--;
			in.cursor = (int)pos[p];
			view_init(&v, 80, height);
			view_interview(&v, &sc, &in, &st, "");
			ck_assert_msg(v.cursor_row >= 2 && v.cursor_row < v.height - 2, "cursor %zu: row %d",
			              pos[p], v.cursor_row);
			ck_assert_int_eq(v.lines[v.cursor_row].style, VIEW_INPUT);
			ck_assert_int_lt(v.cursor_col, 80);
			text = v.lines[v.cursor_row].text;
			off = column_offset(text, v.cursor_col);
			ck_assert_msg(off >= 3, "cursor %zu: column %d is not on a character of '%s'", pos[p],
			              v.cursor_col, text);
			if (pos[p] < len)
				ck_assert_msg(!strncmp(text + off, in.line + pos[p], char_len(in.line + pos[p])),
				              "cursor %zu (height %d): at row %d col %d is '%s', want '%.4s'", pos[p],
				              height, v.cursor_row, v.cursor_col, text + off, in.line + pos[p]);
			else
				ck_assert_msg(text[off] == '\0' && (v.cursor_row == v.height - 1 ||
				              v.lines[v.cursor_row + 1].style != VIEW_INPUT),
				              "cursor at the end: row %d col %d of '%s'", v.cursor_row, v.cursor_col, text);
			if (pos[p] == wrap)
				ck_assert_int_eq(v.cursor_col, 3);    /* the start of a continuation line */
			view_release(&v);
		}
	}
}
END_TEST

/* A space at the end of a full line: the cursor after it is where the next character will be. */
START_TEST(test_input_cursor_full_line)
{
	struct eng_screen sc;
	struct view_input in;
	struct view_status st = { "K1", "anna", "q9", 0, 5, 9, 10, "de", 1, 0 };
	struct view v;
	int row;

	make_text_screen(&sc, FORM_Q_TEXT, 0, "Notes?");
	memset(&in, 0, sizeof in);
	memset(in.line, 'x', 76);            /* the input's full width at 80 columns */
	in.cursor = 76;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	row = v.cursor_row;
	ck_assert_int_eq(v.cursor_col, 79);
	view_release(&v);
	in.line[76] = ' ';
	in.cursor = 77;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	ck_assert_int_eq(v.cursor_row, row + 1);
	ck_assert_int_eq(v.cursor_col, 3);
	ck_assert_int_eq(v.lines[row + 1].style, VIEW_INPUT);
	view_release(&v);
	in.line[77] = 'y';
	in.cursor = 78;
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	ck_assert_int_eq(v.cursor_row, row + 1);
	ck_assert_int_eq(v.cursor_col, 4);
	ck_assert_str_eq(v.lines[row + 1].text, "   y");
	view_release(&v);
}
END_TEST

/* The footer of every question type, with and without don't know / refused. */
static const enum form_qtype qtypes[] = {
	FORM_Q_SINGLE, FORM_Q_MULTI, FORM_Q_INTEGER, FORM_Q_DECIMAL, FORM_Q_TEXT,
	FORM_Q_DATE, FORM_Q_YESNO, FORM_Q_GRID, FORM_Q_INFO,
};

START_TEST(test_footer)
{
	static const char *const first[] = {
		[FORM_Q_SINGLE] = "0-9 choose", [FORM_Q_MULTI] = "0-9/Space toggle",
		[FORM_Q_INTEGER] = "type, Enter ok", [FORM_Q_DECIMAL] = "type, Enter ok",
		[FORM_Q_TEXT] = "type, Enter ok", [FORM_Q_DATE] = "type, Enter ok",
		[FORM_Q_YESNO] = "0-9 choose", [FORM_Q_GRID] = "0-9 answer item",
		[FORM_Q_INFO] = "Enter continue",
	};
	static const int widths[] = { 80, 132 };
	struct eng_screen sc;
	struct eng_choice_view ch[3];
	struct view_input in;
	struct view_status st = { "K1", "anna", "q3", 0, 5, 3, 10, "en", 0, 0 };
	struct view v;
	unsigned allow;
	size_t w;
	enum form_qtype t = qtypes[_i];

	for (allow = 0; allow <= (FORM_F_DK | FORM_F_RF); allow++) {
		for (w = 0; w < sizeof widths / sizeof widths[0]; w++) {
			const char *foot;
			size_t n;

			make_screen(&sc, ch, 3, "Which one?");
			sc.qtype = t;
			sc.allow = allow;
			memset(&in, 0, sizeof in);
			view_init(&v, widths[w], 24);
			view_interview(&v, &sc, &in, &st, "");
			foot = v.lines[v.height - 1].text;
			n = strlen(foot);
			ck_assert_int_eq(v.lines[v.height - 1].style, VIEW_BAR);
			ck_assert_msg(view_width(foot, n) <= widths[w], "%s at %d: '%s' is too wide",
			              form_qtype_name(t), widths[w], foot);
			ck_assert_msg(n >= 7 && !strcmp(foot + n - 7, "F1 help"), "%s at %d: '%s' does not end in F1 help",
			              form_qtype_name(t), widths[w], foot);
			ck_assert_msg(!strstr(foot, "\xE2\x80\xA6"), "'%s' is cut", foot);
			ck_assert_msg(!strncmp(foot, first[t], strlen(first[t])), "%s: '%s' lacks '%s'",
			              form_qtype_name(t), foot, first[t]);
			ck_assert_msg(!strstr(foot, "^D dk") == !(allow & FORM_F_DK && t != FORM_Q_INFO),
			              "%s, allow %u: '%s'", form_qtype_name(t), allow, foot);
			ck_assert_msg(!strstr(foot, "^R rf") == !(allow & FORM_F_RF && t != FORM_Q_INFO),
			              "%s, allow %u: '%s'", form_qtype_name(t), allow, foot);
			ck_assert_msg(!strstr(foot, "dk") == !(allow & FORM_F_DK && t != FORM_Q_INFO), "'%s'", foot);
			if (t != FORM_Q_INFO && t != FORM_Q_MULTI && t != FORM_Q_GRID)
				ck_assert_msg(!strstr(foot, "Enter ok") == 0, "%s: '%s'", form_qtype_name(t), foot);
			ck_assert_msg(strstr(foot, "PgUp back"), "%s at %d: '%s'", form_qtype_name(t), widths[w], foot);
			if (widths[w] == 132) {
				ck_assert_msg(strstr(foot, "^X break off") && strstr(foot, "^G jump") &&
				              strstr(foot, "^N note") && strstr(foot, "^T lang"),
				              "%s at 132: '%s' leaves out keys", form_qtype_name(t), foot);
			}
			/* only one footer line: the one above is the message line */
			ck_assert_int_ne(v.lines[v.height - 2].style, VIEW_BAR);
			view_release(&v);
		}
	}
}
END_TEST

START_TEST(test_footer_check_and_end)
{
	struct eng_screen sc;
	struct view_status st = { "K1", "anna", NULL, 0, 5, 3, 10, "en", 0, 0 };
	struct view v;
	int kind, hard;

	for (kind = 0; kind < 3; kind++) {
		for (hard = 0; hard < 2; hard++) {
			const char *foot;

			memset(&sc, 0, sizeof sc);
			sc.kind = kind ? ENG_SCREEN_END : ENG_SCREEN_CHECK;
			sc.hard = hard;
			sc.message = "Check";
			sc.outcome = "complete";
			sc.complete = 1;
			sc.end_text = "";
			view_init(&v, kind == 2 ? 132 : 80, 24);
			view_interview(&v, &sc, NULL, &st, "");
			foot = v.lines[v.height - 1].text;
			ck_assert_int_le(view_width(foot, strlen(foot)), v.width);
			ck_assert_ptr_nonnull(strstr(foot, "F1 help"));
			ck_assert_ptr_null(strstr(foot, "dk"));
			ck_assert_ptr_nonnull(strstr(foot, kind ? "Enter finish" : hard ? "1-9 correct that question"
			                                                                : "Enter confirm"));
			view_release(&v);
		}
	}
}
END_TEST

START_TEST(test_help_fits)
{
	const char *p = view_help(), *nl;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(view_width(p, (size_t)(nl - p)) <= 78, "help line too wide: '%.*s'", (int)(nl - p), p);
	}
}
END_TEST

/* A date question tells both ways a date may be typed. */
START_TEST(test_date_hint)
{
	struct eng_screen sc;
	struct view_input in;
	struct view_status st = { "K1", "anna", "q9", 0, 5, 9, 10, "de", 1, 0 };
	struct view v;
	int r;

	make_text_screen(&sc, FORM_Q_DATE, FORM_F_DK, "When?");
	memset(&in, 0, sizeof in);
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	r = find(&v, "a date");
	ck_assert_int_ge(r, 0);
	ck_assert_ptr_nonnull(strstr(v.lines[r].text, "D.M.YYYY"));
	ck_assert_ptr_nonnull(strstr(v.lines[r].text, "YYYY-MM-DD"));
	view_release(&v);
	sc.has_range = 1;
	sc.lo = 19723;    /* 2024-01-01 */
	sc.hi = 20453;    /* 2025-12-31 */
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	r = find(&v, "a date YYYY-MM-DD from 2024-01-01 to 2025-12-31");   /* tests/e2e/lib.sh reads it */
	ck_assert_int_ge(r, 0);
	ck_assert_ptr_nonnull(strstr(v.lines[r].text, "D.M.YYYY"));
	view_release(&v);
}
END_TEST

/* The interface languages besides English, with what their screens must show. */
static const struct {
	const char *lang, *help, *date_form, *lo, *dec;
} langs[] = {
	{ "de", "F1 Hilfe", "TT.MM.JJJJ", "01.01.2024", "0,0" },
	{ "nl", "F1 hulp", "DD-MM-JJJJ", "01-01-2024", "0,0" },
};

/* Switch the interface to language l, from the catalogues the build compiles (bin/locale). */
static void use_lang(const char *l)
{
	setenv("CATI_LOCALEDIR", "bin/locale", 1);
	i18n_init("cati", l);
	ck_assert_str_eq(i18n_lang(), l);
}

/* German and Dutch footers fit 80 columns by leaving out keys by rank, never by cutting one. */
START_TEST(test_lang_footer)
{
	struct eng_screen sc;
	struct eng_choice_view ch[3];
	struct view_input in;
	struct view_status st = { "K1", "anna", "q3", 0, 5, 3, 10, "en", 0, 0 };
	struct view v;
	unsigned allow;
	size_t i;

	use_lang(langs[_i].lang);
	for (i = 0; i < sizeof qtypes / sizeof qtypes[0]; i++) {
		for (allow = 0; allow <= (FORM_F_DK | FORM_F_RF); allow++) {
			const char *foot;
			size_t n, h = strlen(langs[_i].help);

			make_screen(&sc, ch, 3, "Which one?");
			sc.qtype = qtypes[i];
			sc.allow = allow;
			memset(&in, 0, sizeof in);
			view_init(&v, 80, 24);
			view_interview(&v, &sc, &in, &st, "");
			foot = v.lines[v.height - 1].text;
			n = strlen(foot);
			ck_assert_msg(view_width(foot, n) <= 80, "%s: '%s' is too wide", langs[_i].lang, foot);
			ck_assert_msg(!strstr(foot, "\xE2\x80\xA6"), "%s: '%s' is cut", langs[_i].lang, foot);
			ck_assert_msg(n >= h && !strcmp(foot + n - h, langs[_i].help), "%s: '%s' does not end in %s",
			              langs[_i].lang, foot, langs[_i].help);
			ck_assert_msg(!strstr(foot, "PgUp back") && !strstr(foot, "F1 help"), "%s: '%s' is English",
			              langs[_i].lang, foot);
			view_release(&v);
		}
	}
	i18n_use("en");
}
END_TEST

/* F1 help in German and Dutch: every line fits beside the screen's margin. */
START_TEST(test_lang_help_fits)
{
	const char *p, *nl;

	use_lang(langs[_i].lang);
	p = view_help();
	ck_assert_msg(strncmp(p, "On a question", 13), "%s: the help is in English", langs[_i].lang);
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(view_width(p, (size_t)(nl - p)) <= 78, "%s: help line too wide: '%.*s'",
		              langs[_i].lang, (int)(nl - p), p);
	}
	i18n_use("en");
}
END_TEST

/* Hints show dates and numbers as the interviewer writes them; stored answers come back so. */
START_TEST(test_lang_local_forms)
{
	struct eng_screen sc;
	struct view_input in;
	struct view_status st = { "K1", "anna", "q9", 0, 5, 9, 10, "en", 1, 0 };
	struct view_cmd cmd;
	struct view v;
	int r;
	char out[32];

	use_lang(langs[_i].lang);
	make_text_screen(&sc, FORM_Q_DATE, 0, "When?");
	sc.has_range = 1;
	sc.lo = 19723;    /* 2024-01-01 */
	sc.hi = 20453;    /* 2025-12-31 */
	memset(&in, 0, sizeof in);
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	r = find(&v, langs[_i].date_form);
	ck_assert_msg(r >= 0, "%s: no hint with %s", langs[_i].lang, langs[_i].date_form);
	ck_assert_ptr_nonnull(strstr(v.lines[r].text, langs[_i].lo));
	ck_assert_ptr_null(strstr(v.lines[r].text, "2024-01-01"));
	view_release(&v);

	/* a stored ISO date is offered for editing in the local form */
	sc.answered = 1;
	sc.state = FORM_S_OK;
	sc.value = "2026-12-31";
	view_input_reset(&in, &sc);
	ck_assert_str_eq(in.line, !strcmp(langs[_i].lang, "de") ? "31.12.2026" : "31-12-2026");
	/* typed in the Dutch form, the engine gets a form it reads (and stores as ISO) */
	memset(&cmd, 0, sizeof cmd);
	view_input_key(&sc, &in, TK_ENTER, &cmd);
	ck_assert_int_eq(cmd.kind, VIEW_CMD_TYPED);
	ck_assert_str_eq(cmd.text, "31.12.2026");

	/* a decimal with a comma */
	make_text_screen(&sc, FORM_Q_DECIMAL, 0, "How long?");
	sc.has_range = 1;
	sc.lo = 0;
	sc.hi = 240;
	sc.decimals = 1;
	memset(&in, 0, sizeof in);
	view_init(&v, 80, 24);
	view_interview(&v, &sc, &in, &st, "");
	ck_assert_int_ge(find(&v, langs[_i].dec), 0);
	ck_assert_int_lt(find(&v, "0.0"), 0);
	view_release(&v);
	sc.answered = 1;
	sc.state = FORM_S_OK;
	sc.value = "3.5";
	view_input_reset(&in, &sc);
	ck_assert_str_eq(in.line, "3,5");

	ck_assert_str_eq(view_local_date("31-12-2026", out, sizeof out), "31.12.2026");
	ck_assert_str_eq(view_local_date("2026-12-31", out, sizeof out), "2026-12-31");
	ck_assert_str_eq(view_local_date("31-12-26", out, sizeof out), "31-12-26");
	i18n_use("en");
	/* English stays as it was: a Dutch form is not guessed */
	ck_assert_str_eq(view_local_date("31-12-2026", out, sizeof out), "31-12-2026");
}
END_TEST

/* The whole screen as text, one line each. */
static void screen_text(const struct view *v, struct buf *out)
{
	int i;

	for (i = 0; i < v->height; i++) {
		buf_puts(out, v->lines[i].text ? v->lines[i].text : "");
		buf_putc(out, '\n');
	}
}

/* The console at 80x24: F1 shows the legend, the quota page names its filter and sorts. */
START_TEST(test_console_legend_and_filter)
{
	json_t *r = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:i, s:i, s:b, s:i}, {s:s, s:s, s:s, s:i, s:i, s:b, s:i}]}",
	                      "study", "demo", "title", "Demo", "quotas",
	                      "quota", "q", "cell", "b", "label", "two", "target", 10, "achieved", 2, "closed", 0, "over", 0,
	                      "quota", "q", "cell", "a", "label", "nine", "target", 10, "achieved", 9, "closed", 0, "over", 0);
	struct view_console c;
	struct view v;
	struct buf t;
	int i;

	memset(&c, 0, sizeof c);
	c.study = "demo";
	c.user = "sup";
	buf_init(&t);
	view_init(&v, 80, 24);
	view_console(&v, r, &c);
	screen_text(&v, &t);
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "f filter: all"));
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "F1 legend"));
	/* 9 of 10 before 2 of 10 */
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "  a "));
	ck_assert(strstr(buf_str(&t), "  a ") < strstr(buf_str(&t), "  b "));
	c.quota_filter = REPORT_Q_NEARLY;
	view_release(&v);
	view_init(&v, 80, 24);
	view_console(&v, r, &c);
	buf_reset(&t);
	screen_text(&v, &t);
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "f filter: nearly full"));
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "  a "));
	ck_assert_ptr_null(strstr(buf_str(&t), "  b "));
	/* every page's key bar fits 80 columns whole, the longest filter name included */
	for (i = 0; i < REPORT_SECTIONS; i++) {
		c.page = i;
		view_release(&v);
		view_init(&v, 80, 24);
		view_console(&v, r, &c);
		ck_assert_msg(!strstr(v.lines[23].text, "\xE2\x80\xA6"), "key bar cut: %s", v.lines[23].text);
		ck_assert_ptr_nonnull(strstr(v.lines[23].text, "q quit"));
	}
	c.page = REPORT_QUOTAS;
	c.help = 1;
	view_release(&v);
	view_init(&v, 80, 24);
	view_console(&v, r, &c);
	buf_reset(&t);
	screen_text(&v, &t);
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "[F1 legend]"));
	ck_assert_ptr_nonnull(strstr(buf_str(&t), "RR1"));
	/* nothing on the help page is cut short */
	for (i = 0; i < v.height; i++)
		ck_assert_msg(!strstr(v.lines[i].text, "\xE2\x80\xA6"), "line %d cut: %s", i, v.lines[i].text);
	view_release(&v);
	buf_release(&t);
	json_decref(r);
}
END_TEST

/* The console's tabs fit 80 columns on every page, at every question of 12 on Results: names
   whole or numbers, never a name cut; the current page always named. */
START_TEST(test_console_tabs_fit)
{
	static const char *const names[REPORT_SECTIONS] = { "Quotas", "Interviewers", "Dispositions", "Results", "Problems",
	                                                    "On call" };
	json_t *r = json_pack("{s:s, s:s, s:{s:[]}}", "study", "demo", "title", "Demo", "results", "questions");
	json_t *qs = json_object_get(json_object_get(r, "results"), "questions");
	struct view_console c;
	struct view v;
	char want[64];
	int page, q, k;

	for (k = 0; k < 12; k++) {
		char id[16];
		snprintf(id, sizeof id, "sat_%02d", k + 1);
		json_array_append_new(qs, json_pack("{s:s, s:s, s:i, s:i}", "id", id, "text", "How satisfied?", "n", 0, "top2", 0));
	}
	memset(&c, 0, sizeof c);
	c.study = "demo";
	c.user = "sup";
	for (page = 0; page < REPORT_SECTIONS; page++)
		for (q = 0; q < (page == REPORT_RESULTS ? 12 : 1); q++) {
			const char *tabs;
			c.page = page;
			c.question = q;
			view_init(&v, 80, 24);
			view_console(&v, r, &c);
			tabs = v.lines[1].text;
			ck_assert_msg(!strstr(tabs, "\xE2\x80\xA6") && strlen(tabs) <= 80, "tabs cut: %s", tabs);
			if (page == REPORT_RESULTS)
				snprintf(want, sizeof want, "[4 Results %d/12]", q + 1);
			else
				snprintf(want, sizeof want, "[%d %s]", page + 1, names[page]);
			ck_assert_msg(strstr(tabs, want), "no %s in: %s", want, tabs);
			/* every other page: its whole name or its number alone */
			for (k = 0; k < REPORT_SECTIONS; k++) {
				char whole[48], number[16];
				if (k == page)
					continue;
				snprintf(whole, sizeof whole, " %d %s ", k + 1, names[k]);
				snprintf(number, sizeof number, " %d ", k + 1);
				ck_assert_msg(strstr(tabs, whole) || strstr(tabs, number), "page %d cut in: %s", k + 1, tabs);
			}
			/* the names stay while they fit */
			if (page != REPORT_RESULTS)
				ck_assert_msg(strstr(tabs, " 4 Results "), "names dropped though they fit: %s", tabs);
			view_release(&v);
		}
	/* "[4 Results 10/12]" and five names are 86 columns: the others go to numbers */
	c.page = REPORT_RESULTS;
	c.question = 9;
	view_init(&v, 80, 24);
	view_console(&v, r, &c);
	ck_assert_str_eq(v.lines[1].text, " 1  2  3 [4 Results 10/12] 5  6 ");
	view_release(&v);
	json_decref(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_interview_80x24);
	tcase_add_test(tc, test_long_list_scrolls_with_marker);
	tcase_add_test(tc, test_check_and_end_screens);
	tcase_add_loop_test(tc, test_cell, 0, (int)(sizeof locales / sizeof locales[0]));
	tcase_add_loop_test(tc, test_input_cursor, 0, (int)(sizeof typed / sizeof typed[0]));
	tcase_add_test(tc, test_input_cursor_full_line);
	tcase_add_loop_test(tc, test_footer, 0, (int)(sizeof qtypes / sizeof qtypes[0]));
	tcase_add_test(tc, test_footer_check_and_end);
	tcase_add_test(tc, test_help_fits);
	tcase_add_test(tc, test_date_hint);
	tcase_add_loop_test(tc, test_lang_footer, 0, (int)(sizeof langs / sizeof langs[0]));
	tcase_add_loop_test(tc, test_lang_help_fits, 0, (int)(sizeof langs / sizeof langs[0]));
	tcase_add_loop_test(tc, test_lang_local_forms, 0, (int)(sizeof langs / sizeof langs[0]));
	tcase_add_test(tc, test_console_legend_and_filter);
	tcase_add_test(tc, test_console_tabs_fit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
