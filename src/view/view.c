/* view.c: lay the interviewer's screens out as styled text lines. */
#define _XOPEN_SOURCE 700  /* wcwidth */
#include "cati/view.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void view_init(struct view *v, int width, int height)
{
	int i;

	v->width = width < 20 ? 20 : width;
	v->height = height < 6 ? 6 : height;
	v->lines = xcalloc((size_t)v->height, sizeof *v->lines);
	for (i = 0; i < v->height; i++)
		v->lines[i].text = xstrdup("");
	v->cursor_row = v->cursor_col = -1;
}

void view_release(struct view *v)
{
	int i;

	for (i = 0; i < v->height; i++)
		free(v->lines[i].text);
	free(v->lines);
	v->lines = NULL;
}

/* Decode one UTF-8 code point at s (n bytes left); returns its length (1 on bad bytes). */
static size_t decode(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;

	*cp = u[0];
	if (u[0] < 0x80)
		return 1;
	if ((u[0] & 0xE0) == 0xC0) {
		len = 2;
		*cp = u[0] & 0x1Fu;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3;
		*cp = u[0] & 0x0Fu;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4;
		*cp = u[0] & 0x07u;
	} else {
		*cp = u[0];
		return 1;
	}
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto bad;
		*cp = (*cp << 6) | (u[i] & 0x3Fu);
	}
	return len;
bad:
	*cp = u[0];
	return 1;
}

/*
 * Columns of a code point by our own table: used where wcwidth cannot tell, that is for
 * non-ASCII text in the C locale (unit tests, a harness started without LANG).
 */
static int table_width(unsigned cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0;
	if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	    (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x200B && cp <= 0x200F) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	    (cp >= 0xFE20 && cp <= 0xFE2F))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x1F900 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/*
 * Columns a code point takes: what wcwidth says in the current locale, so that the layout
 * agrees with curses; our table where wcwidth gives -1 (the C locale knows only ASCII).
 * wchar_t holds Unicode code points on the systems we build on (__STDC_ISO_10646__).
 */
static int cp_width(unsigned cp)
{
	int w;

	if (cp < 0x20 || cp == 0x7F)
		return 0;
	if (cp < 0x7F)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w >= 0 ? w : table_width(cp);
}

int view_width(const char *s, size_t n)
{
	size_t i = 0;
	unsigned cp;
	int w = 0;

	while (i < n) {
		i += decode(s + i, n - i, &cp);
		w += cp_width(cp);
	}
	return w;
}

/*
 * The byte length of the longest prefix of s[0..n) that fits in width columns: whole
 * characters only, with the combining marks that follow the last one.
 */
static size_t fit(const char *s, size_t n, int width)
{
	size_t i = 0, k;
	unsigned cp;
	int w = 0, cw;

	while (i < n) {
		k = decode(s + i, n - i, &cp);
		cw = cp_width(cp);
		if (w + cw > width)
			break;
		w += cw;
		i += k;
	}
	return i;
}

/* Pad or cut text to exactly width columns. */
void view_cell(struct buf *out, const char *text, int width)
{
	size_t n = strlen(text), k;
	int w;

	if (width < 1)
		return;
	w = view_width(text, n);
	if (w > width) {
		k = fit(text, n, width - 1);
		buf_add(out, text, k);
		buf_puts(out, "\xE2\x80\xA6");  /* … */
		w = view_width(text, k) + 1;
	} else {
		buf_add(out, text, n);
	}
	for (; w < width; w++)
		buf_putc(out, ' ');
}

void view_set(struct view *v, int row, enum view_style style, const char *text)
{
	size_t n = strlen(text), k;
	struct buf b;

	if (row < 0 || row >= v->height)
		return;
	buf_init(&b);
	if (view_width(text, n) > v->width) {
		k = fit(text, n, v->width - 1);
		buf_add(&b, text, k);
		buf_puts(&b, "\xE2\x80\xA6");  /* … */
	} else {
		buf_add(&b, text, n);
	}
	free(v->lines[row].text);
	v->lines[row].text = buf_detach(&b);
	v->lines[row].style = style;
}

int view_wrap(const char *text, int width, void (*cb)(void *ctx, const char *line, size_t n),
              void *ctx)
{
	const char *p = text, *eol, *end;
	int count = 0;

	if (width < 1)
		width = 1;
	do {
		eol = strchr(p, '\n');
		end = eol ? eol : p + strlen(p);
		/* one paragraph */
		while (p < end || (p == end && !count)) {
			const char *line = p, *brk = NULL, *q = p;
			size_t k;

			if (view_width(p, (size_t)(end - p)) <= width) {
				cb(ctx, p, (size_t)(end - p));
				count++;
				p = end;
				break;
			}
			k = fit(p, (size_t)(end - p), width);
			for (q = p; q <= p + k && q < end; q++)
				if (*q == ' ')
					brk = q;
			if (brk && brk > p) {
				cb(ctx, line, (size_t)(brk - line));
				p = brk + 1;
			} else {
				cb(ctx, line, k ? k : 1);
				p = line + (k ? k : 1);
			}
			count++;
			while (p < end && *p == ' ')
				p++;
		}
		if (eol && p == eol && eol[1] == '\0') {
			cb(ctx, "", 0);
			count++;
		}
		p = eol ? eol + 1 : end;
	} while (eol && *p);
	return count;
}

/* The body being laid out: lines before they are placed on the screen. */
struct body {
	struct view_line *v;
	int n, cap;
	enum view_style style;
	const char *prefix;    /* prepended to every wrapped line */
	int mark;              /* the line that must stay visible (highlight / input), or -1 */
	int mark_end;          /* the last line that should stay visible with it, or -1 */
	int cursor_line;       /* the line the cursor is on, or -1 */
	int cursor_col;        /* its column in that line */
};

static void body_add(struct body *b, const char *s, size_t n, enum view_style style)
{
	struct buf t;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = xrealloc(b->v, sizeof *b->v * (size_t)b->cap);
	}
	buf_init(&t);
	if (b->prefix)
		buf_puts(&t, b->prefix);
	buf_add(&t, s, n);
	b->v[b->n].text = buf_detach(&t);
	b->v[b->n].style = style;
	b->n++;
}

static void body_wrap_cb(void *ctx, const char *line, size_t n)
{
	struct body *b = ctx;
	body_add(b, line, n, b->style);
}

/* Wrap text into the body with a hanging prefix. */
static void body_text(struct body *b, const char *text, int width, enum view_style style,
                      const char *first, const char *rest)
{
	struct body tmp = { NULL, 0, 0, style, NULL, -1, -1, -1, 0 };
	int i, pw = view_width(first, strlen(first));

	view_wrap(text, width - pw, body_wrap_cb, &tmp);
	for (i = 0; i < tmp.n; i++) {
		struct buf t;

		buf_init(&t);
		buf_puts(&t, i ? rest : first);
		buf_puts(&t, tmp.v[i].text);
		body_add(b, t.data ? t.data : "", t.len, style);
		buf_release(&t);
		free(tmp.v[i].text);
	}
	free(tmp.v);
}

static void body_free(struct body *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		free(b->v[i].text);
	free(b->v);
}

static int in_set(const int *v, int n, int code)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == code)
			return 1;
	return 0;
}

/* The label of a scale code, for grid cells. */
static const char *cell_text(const struct eng_screen *sc, int code, char *buf, size_t n)
{
	int i;

	if (code == ENG_CODE_DK)
		return _("don't know");
	if (code == ENG_CODE_RF)
		return _("refused");
	if (!code)
		return "-";
	for (i = 0; i < sc->nchoices; i++)
		if (sc->choices[i].code == code) {
			snprintf(buf, n, "%d %s", code, sc->choices[i].label);
			return buf;
		}
	snprintf(buf, n, "%d", code);
	return buf;
}

/* One key in the footer; entries with the highest rank are left out first, rank 0 never. */
struct key_entry {
	const char *text;
	int rank;
};

/* The footer's entries for a screen, in the order shown. Returns how many. */
static int key_entries(const struct eng_screen *sc, struct key_entry *k)
{
	int n = 0;

#define KEY(t, r) (k[n].text = (t), k[n].rank = (r), n++)
	if (sc->kind == ENG_SCREEN_END) {
		KEY(N_("Enter finish"), 1);
		KEY(N_("PgUp back"), 3);
	} else if (sc->kind == ENG_SCREEN_CHECK) {
		if (sc->hard) {
			KEY(N_("1-9 correct that question"), 1);
		} else {
			KEY(N_("Enter confirm"), 1);
			KEY(N_("1-9 correct a question"), 1);
		}
		KEY(N_("PgUp back"), 3);
	} else {
		switch (sc->qtype) {
		case FORM_Q_SINGLE:
		case FORM_Q_YESNO:
			KEY(N_("0-9 choose"), 1);
			KEY(N_("\xE2\x86\x91\xE2\x86\x93 move"), 5);   /* ↑↓ */
			KEY(N_("Enter ok"), 1);
			break;
		case FORM_Q_MULTI:
			KEY(N_("0-9/Space toggle"), 1);
			KEY(N_("\xE2\x86\x91\xE2\x86\x93 move"), 5);
			KEY(N_("Enter ok"), 1);
			break;
		case FORM_Q_GRID:
			KEY(N_("0-9 answer item"), 1);
			KEY(N_("\xE2\x86\x91\xE2\x86\x93 item"), 5);
			KEY(N_("\xE2\x86\x90\xE2\x86\x92 change"), 2);  /* ←→ */
			KEY(N_("Enter ok"), 1);
			break;
		case FORM_Q_INFO:
			KEY(N_("Enter continue"), 1);
			break;
		default:
			KEY(N_("type, Enter ok"), 1);
			KEY(N_("\xE2\x86\x90\xE2\x86\x92 Home End edit"), 7);
			break;
		}
		if (sc->qtype != FORM_Q_INFO && (sc->allow & FORM_F_DK))
			KEY(N_("^D dk"), 2);
		if (sc->qtype != FORM_Q_INFO && (sc->allow & FORM_F_RF))
			KEY(N_("^R rf"), 2);
		KEY(N_("PgUp back"), 3);
		KEY(N_("^G jump"), 6);
		KEY(N_("^T lang"), 9);
		KEY(N_("^N note"), 8);
		KEY(N_("^X break off"), 4);
	}
	KEY(N_("F1 help"), 0);
#undef KEY
	return n;
}

/* Join the screen's key entries, leaving out the least important until they fit. */
void view_keys(const struct eng_screen *sc, int width, struct buf *out)
{
	struct key_entry k[16];
	const char *text[16];
	int rank[16], n = key_entries(sc, k), i;

	for (i = 0; i < n; i++) {
		text[i] = _(k[i].text);
		rank[i] = k[i].rank;
	}
	view_keys_fit(text, rank, n, width, out);
}

/* Join keys, leaving out the highest ranks until the line fits. */
void view_keys_fit(const char *const *text, const int *rank, int count, int width, struct buf *out)
{
	struct key_entry k[16];
	int n = 0, i, total, worst;

	for (i = 0; i < count && n < 16; i++, n++) {
		k[n].text = text[i];
		k[n].rank = rank[i];
	}

	for (;;) {
		for (i = 0, total = 0, worst = -1; i < n; i++) {
			total += (i ? 2 : 0) + view_width(k[i].text, strlen(k[i].text));
			if (k[i].rank && (worst < 0 || k[i].rank >= k[worst].rank))
				worst = i;
		}
		if (total <= width || worst < 0)
			break;
		memmove(&k[worst], &k[worst + 1], (size_t)(n - worst - 1) * sizeof *k);
		n--;
	}
	for (i = 0; i < n; i++) {
		if (i)
			buf_puts(out, "  ");
		buf_puts(out, k[i].text);
	}
}

const char *view_help(void)
{
	return _("On a question\n"
	       "  0-9          choose by code (Enter needed when a longer code begins with it)\n"
	       "  Up/Down      move the highlight (Enter takes it); Space toggles in a multi\n"
	       "  Left/Right   in a grid: change the highlighted item's answer\n"
	       "  Enter        accept; keeps the answer shown; with nothing chosen: nothing\n"
	       "  Ctrl-D       don't know; Ctrl-R refused (where the question allows them)\n"
	       "  PgUp Ctrl-B  back one question   PgDn Ctrl-F  forward over answered ones\n"
	       "  Ctrl-E       to the first unanswered question\n"
	       "  Ctrl-G       jump to a question already asked\n"
	       "  Ctrl-T       switch the language of the texts\n"
	       "  Ctrl-N       add a note to the case\n"
	       "  Ctrl-X       break off: suspend with a reason, or make an appointment\n"
	       "On a check\n"
	       "  Enter        confirm a soft check and go on\n"
	       "  1-9          go to the question to correct\n"
	       "In the case list\n"
	       "  Up/Down Enter  open     N  next case     /  search     Tab  by status\n"
	       "  L  sync log     q  log out (Esc on the login screen quits)\n"
	       "On a case\n"
	       "  1-9  the call's outcome; 5, 7, 8 and 9 close the case: press them twice\n");
}

/*
 * Break typed text into lines of at most width columns, keeping every byte so that the cursor
 * maps to one place: a line ends after the last space that fits, or takes one more space into
 * the column past the width (where a cursor may stand), or breaks a word longer than the line.
 * starts[i] is where line i begins (starts has room for strlen(text) + 2 entries); a text that
 * ends in such a space gets an empty last line, where the next character will appear.
 * Returns the number of lines, at least 1.
 */
static int input_lines(const char *text, int width, size_t *starts)
{
	size_t len = strlen(text), p = 0, k, q, brk;
	unsigned cp;
	int n = 0;

	for (;;) {
		starts[n++] = p;
		if (view_width(text + p, len - p) <= width)
			return n;
		k = fit(text + p, len - p, width);
		if (text[p + k] == ' ') {
			p += k + 1;
			if (p == len) {
				starts[n++] = len;
				return n;
			}
			continue;
		}
		for (brk = 0, q = k; q > 0 && !brk; q--)
			if (text[p + q - 1] == ' ')
				brk = q;
		p += brk ? brk : k ? k : decode(text + p, len - p, &cp);
	}
}

/* Lay out the input field under a question, and note the line and column of the cursor. */
static void input_body(struct body *b, const struct view_input *in, int width)
{
	size_t len = strlen(in->line), *starts = xmalloc((len + 2) * sizeof *starts), end;
	size_t cur = in->cursor < 0 ? 0 : (size_t)in->cursor > len ? len : (size_t)in->cursor;
	int n, i;

	n = input_lines(in->line, width - 2, starts);
	for (i = 0; i < n; i++) {
		end = i + 1 < n ? starts[i + 1] : len;
		b->prefix = i ? "  " : "> ";
		if (cur >= starts[i] && (i + 1 == n || cur < starts[i + 1])) {
			b->mark = b->cursor_line = b->n;
			b->cursor_col = 2 + view_width(in->line + starts[i], cur - starts[i]);
		}
		body_add(b, in->line + starts[i], end - starts[i], VIEW_INPUT);
	}
	b->prefix = NULL;
	b->mark_end = b->n - 1;
	free(starts);
}

/* The body lines of a question screen. */
static void question_body(struct body *b, const struct eng_screen *sc, struct view_input *in,
                          int width)
{
	char head[64], cell[256];
	int i;

	if (sc->iter && sc->loop_id) {
		snprintf(head, sizeof head, "[%s %d]", sc->loop_id, sc->iter);
		body_add(b, head, strlen(head), VIEW_DIM);
	}
	body_text(b, sc->text, width, VIEW_READ, "", "");
	if (sc->note && *sc->note) {
		body_add(b, "", 0, VIEW_PLAIN);
		body_text(b, sc->note, width, VIEW_NOTE, "\xC2\xBB ", "  ");  /* » */
	}
	body_add(b, "", 0, VIEW_PLAIN);
	switch (sc->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
	case FORM_Q_MULTI:
		for (i = 0; i < sc->nchoices; i++) {
			const struct eng_choice_view *c = &sc->choices[i];
			int on = sc->qtype == FORM_Q_MULTI ? in_set(in->sel, in->nsel, c->code) : c->selected;
			int start = b->n;

			snprintf(head, sizeof head, "%s %4d  ", sc->qtype == FORM_Q_MULTI ? (on ? "[x]" : "[ ]") : (on ? " > " : "   "), c->code);
			body_text(b, c->label, width, i == in->highlight ? VIEW_CURSOR : VIEW_CHOICE, head, "           ");
			if (i == in->highlight)
				b->mark = start;
		}
		break;
	case FORM_Q_GRID:
		body_add(b, _("Scale:"), strlen(_("Scale:")), VIEW_DIM);
		for (i = 0; i < sc->nchoices; i++) {
			snprintf(cell, sizeof cell, "  %d %s", sc->choices[i].code, sc->choices[i].label);
			body_add(b, cell, strlen(cell), VIEW_DIM);
		}
		body_add(b, "", 0, VIEW_PLAIN);
		for (i = 0; i < sc->nitems; i++) {
			char label[512];
			int start = b->n;

			snprintf(label, sizeof label, "%s \xE2\x86\x92 %s", sc->items[i].label,
			         cell_text(sc, in->cells[i], cell, sizeof cell));
			body_text(b, label, width, i == in->highlight ? VIEW_CURSOR : VIEW_CHOICE, "  ", "    ");
			if (i == in->highlight)
				b->mark = start;
		}
		break;
	case FORM_Q_INFO:
		break;
	default: {
		char hint[256] = "";
		char lo[32], hi[32], num[32];

		if (sc->qtype == FORM_Q_DATE) {
			if (sc->has_range) {
				form_date_format(sc->lo, num);
				i18n_date(lo, sizeof lo, num);
				form_date_format(sc->hi, num);
				i18n_date(hi, sizeof hi, num);
				/* TRANSLATORS: the date as typed in the language (TT.MM.JJJJ, DD-MM-JJJJ) */
				snprintf(hint, sizeof hint, _("a date YYYY-MM-DD from %s to %s, or D.M.YYYY"), lo, hi);
			} else {
				snprintf(hint, sizeof hint, "%s", _("a date YYYY-MM-DD or D.M.YYYY"));
			}
		} else if (sc->qtype == FORM_Q_TEXT) {
			snprintf(hint, sizeof hint, _("text, up to %d characters"), sc->maxlen);
		} else if (sc->has_range) {
			int d = sc->qtype == FORM_Q_DECIMAL ? sc->decimals : 0;
			snprintf(num, sizeof num, "%.*f", d, sc->lo);
			i18n_number(lo, sizeof lo, num);
			snprintf(num, sizeof num, "%.*f", d, sc->hi);
			i18n_number(hi, sizeof hi, num);
			snprintf(hint, sizeof hint, _("a number from %s to %s"), lo, hi);
		} else {
			snprintf(hint, sizeof hint, "%s", _("a number"));
		}
		body_add(b, hint, strlen(hint), VIEW_DIM);
		input_body(b, in, width);
		break;
	}
	}
	if (sc->answered && sc->state != FORM_S_OK) {
		const char *s = sc->state == FORM_S_DK ? _("(answered: don't know)") : _("(answered: refused)");
		body_add(b, "", 0, VIEW_PLAIN);
		body_add(b, s, strlen(s), VIEW_DIM);
	}
}

/*
 * The first body line to show, from first, so that line m of n is visible in rows rows: the
 * first row says "lines above" when scrolled down, the last "more lines" when lines follow.
 */
static int scroll_to(int first, int m, int n, int rows)
{
	int lo = first + (first > 0), hi = first + rows - 1;

	if (hi < n - 1)
		hi--;
	if (m < 0 || m >= n)
		return first;
	if (m < lo)
		first = m > 0 ? m - 1 : 0;
	else if (m > hi)
		first = m - rows + 2;
	if (first > n - rows)
		first = n - rows;
	return first < 0 ? 0 : first;
}

void view_interview(struct view *v, const struct eng_screen *sc, struct view_input *in,
                    const struct view_status *st, const char *message)
{
	struct body b = { NULL, 0, 0, VIEW_PLAIN, NULL, -1, -1, -1, 0 };
	char line[512];
	int i, top = 2, rows, first, mins;
	struct buf keys;

	/* status line */
	char where[FORM_MAX_ID + 24] = "";

	mins = (int)(st->elapsed_s / 60);
	if (st->qid && st->iter)
		snprintf(where, sizeof where, "%s[%d] ", st->qid, st->iter);
	else if (st->qid)
		snprintf(where, sizeof where, "%s ", st->qid);
	snprintf(line, sizeof line, _(" %s \xE2\x94\x82 %s \xE2\x94\x82 %02d:%02ld \xE2\x94\x82 %sQ %d of ~%d \xE2\x94\x82 %s \xE2\x94\x82 %s, %ld waiting"),
	         st->case_key, st->interviewer, mins, st->elapsed_s % 60, where, st->position, st->estimate,
	         st->lang, st->online ? _("online") : _("offline"), st->waiting);
	view_set(v, 0, VIEW_BAR, line);
	v->cursor_row = v->cursor_col = -1;

	if (sc->kind == ENG_SCREEN_QUESTION) {
		question_body(&b, sc, in, v->width - 2);
	} else if (sc->kind == ENG_SCREEN_CHECK) {
		const char *title = sc->hard ? _("CHECK: this must be corrected") : _("CHECK: please confirm");

		body_add(&b, title, strlen(title), VIEW_TITLE);
		body_add(&b, "", 0, VIEW_PLAIN);
		body_text(&b, sc->message, v->width - 2, VIEW_READ, "", "");
		body_add(&b, "", 0, VIEW_PLAIN);
		body_add(&b, _("Questions involved:"), strlen(_("Questions involved:")), VIEW_DIM);
		for (i = 0; i < sc->nrevisit && i < 9; i++) {
			snprintf(line, sizeof line, "%d  %s: ", i + 1, sc->revisit[i].qid);
			body_text(&b, sc->revisit[i].text, v->width - 2, VIEW_CHOICE, line, "      ");
		}
	} else {
		const char *title = sc->complete ? _("END OF INTERVIEW: complete") : _("END OF INTERVIEW: screened out");

		body_add(&b, title, strlen(title), VIEW_TITLE);
		if (!sc->complete) {
			snprintf(line, sizeof line, _("outcome: %s (call recorded as %s)"), sc->outcome,
			         _(sc->call_outcome ? sc->call_outcome : "screened_out"));
			body_add(&b, line, strlen(line), VIEW_DIM);
		}
		body_add(&b, "", 0, VIEW_PLAIN);
		if (sc->end_text && *sc->end_text)
			body_text(&b, sc->end_text, v->width - 2, VIEW_READ, "", "");
		body_add(&b, "", 0, VIEW_PLAIN);
		body_text(&b, _("The interview and its call are saved. Enter returns to the case list; PgUp goes back to change an answer."),
		          v->width - 2, VIEW_DIM, "", "");
	}

	/* footer: the keys that fit on one line */
	buf_init(&keys);
	view_keys(sc, v->width, &keys);
	rows = v->height - top - 2;   /* one line for the message, one for the keys */
	if (rows < 1)
		rows = 1;
	/* scroll: keep the whole input, or at least the mark, visible; clipped text is marked */
	first = scroll_to(in ? in->scroll : 0, b.mark_end, b.n, rows);
	first = scroll_to(first, b.mark, b.n, rows);
	if (in)
		in->scroll = first;
	for (i = 0; i < rows; i++) {
		int k = first + i;
		int last_row = i == rows - 1;

		if (last_row && k < b.n - 1) {
			snprintf(line, sizeof line, P_("  \xE2\x96\xBC %d more line (\xE2\x86\x93 to scroll)", "  \xE2\x96\xBC %d more lines (\xE2\x86\x93 to scroll)", b.n - k), b.n - k);
			view_set(v, top + i, VIEW_DIM, line);
			continue;
		}
		if (i == 0 && first > 0 && k < b.n) {
			snprintf(line, sizeof line, P_("  \xE2\x96\xB2 %d line above", "  \xE2\x96\xB2 %d lines above", first), first);
			view_set(v, top + i, VIEW_DIM, line);
			continue;
		}
		if (k < b.n) {
			struct buf t;
			buf_init(&t);
			buf_puts(&t, " ");
			buf_puts(&t, b.v[k].text);
			view_set(v, top + i, b.v[k].style, t.data);
			if (k == b.cursor_line) {
				v->cursor_row = top + i;
				v->cursor_col = 1 + b.cursor_col;
				if (v->cursor_col >= v->width)
					v->cursor_col = v->width - 1;
			}
			buf_release(&t);
		}
	}
	view_set(v, v->height - 2, VIEW_ERROR, message ? message : "");
	view_set(v, v->height - 1, VIEW_BAR, buf_str(&keys));
	buf_release(&keys);
	body_free(&b);
}
