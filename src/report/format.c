/*
 * format.c: the supervisor's report (report.h) as text for a terminal (aligned tables, bars of
 * '#') and as CSV. Pure: it reads the report's JSON only.
 */
#include "cati/report.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *title;
} sections[REPORT_SECTIONS] = {
	{ "quotas", N_("Quotas") },
	{ "interviewers", N_("Interviewers") },
	{ "dispositions", N_("Dispositions and response rates") },
	{ "results", N_("Results: top-2-box") },
	{ "problems", N_("Duplicates, conflicts and over quota") },
	{ "on_call", N_("On a call now") },
};

const char *report_section_name(enum report_section s)
{
	return s < REPORT_SECTIONS ? sections[s].name : "";
}

const char *report_section_title(enum report_section s)
{
	return s < REPORT_SECTIONS ? _(sections[s].title) : "";
}

int report_section_find(const char *name)
{
	int i;

	for (i = 0; name && i < REPORT_SECTIONS; i++)
		if (!strcmp(sections[i].name, name))
			return i;
	return -1;
}

/* Helpers to read the report ---------------------------------------------------------------- */

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static long num(const json_t *o, const char *k)
{
	return (long)json_integer_value(json_object_get(o, k));
}

/* A real (or integer) field; 0 with *null set when it is null or missing. */
static double real(const json_t *o, const char *k, int *null)
{
	json_t *v = json_object_get(o, k);

	*null = !json_is_number(v);
	return json_number_value(v);
}

/* Text layout ------------------------------------------------------------------------------- */

/* Columns taken by UTF-8 text: one per code point (the report has no wide characters to speak of). */
static size_t cols(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Bytes of s that fill at most w columns. */
static size_t fit(const char *s, size_t w)
{
	size_t i = 0, c = 0;

	while (s[i]) {
		size_t j = i + 1;
		while (s[j] && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
		if (c + 1 > w)
			break;
		c++;
		i = j;
	}
	return i;
}

/* Append s in exactly w columns: cut with an ellipsis, padded with spaces (right: aligned right). */
static void cell(struct buf *b, const char *text, int w, int right)
{
	char *s = xstrdup(text);
	size_t n, k;

	/* what was pushed may hold terminal escapes: measured and printed without them */
	text_clean(s, 0);
	n = cols(s);
	if (w <= 0) {
		free(s);
		return;
	}
	if (n > (size_t)w) {
		k = fit(s, (size_t)w - 1);
		buf_add(b, s, k);
		buf_puts(b, "\xE2\x80\xA6");   /* … */
		free(s);
		return;
	}
	if (right)
		for (k = n; k < (size_t)w; k++)
			buf_putc(b, ' ');
	buf_puts(b, s);
	if (!right)
		for (k = n; k < (size_t)w; k++)
			buf_putc(b, ' ');
	free(s);
}

/* Remove trailing spaces and end the line. */
static void eol(struct buf *b)
{
	while (b->len && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	buf_putc(b, '\n');
}

/* A bar of w columns: '#' for the share (0..1), '.' for the rest, in brackets. */
static void bar(struct buf *b, double share, int w)
{
	int i, fill;

	if (w < 3)
		return;
	if (share < 0)
		share = 0;
	if (share > 1)
		share = 1;
	fill = (int)(share * (w - 2) + 0.5);
	buf_putc(b, '[');
	for (i = 0; i < w - 2; i++)
		buf_putc(b, i < fill ? '#' : '.');
	buf_putc(b, ']');
}

/* A percentage v as the reader writes it: "62.5%", "62,5 %" in German. */
static void share_text(char *out, size_t n, double v)
{
	char plain[32], local[32];

	snprintf(plain, sizeof plain, "%.1f", v);
	snprintf(out, n, _("%s%%"), i18n_number(local, sizeof local, plain));
}

/* Columns a percentage of 100 takes in the reader's language ("100.0%": 6). */
static int share_cols(void)
{
	char t[32];

	share_text(t, sizeof t, 100.0);
	return (int)cols(t);
}

/* 100 * top / n as "62.5%" (computed from the counts, so that anyone dividing them agrees). */
static void percent(char *out, size_t n, long top, long total)
{
	if (total > 0)
		share_text(out, n, 100.0 * (double)top / (double)total);
	else
		snprintf(out, n, "%s", _("n/a"));
}

/* A number field with fmt, its decimal sign the reader's; "-" when it is null. */
static void number(char *out, size_t n, const json_t *o, const char *k, const char *fmt)
{
	char plain[64];
	int null;
	double v = real(o, k, &null);

	if (null) {
		snprintf(out, n, "-");
		return;
	}
	snprintf(plain, sizeof plain, fmt, v);
	i18n_number(out, n, plain);
}

/* Word-wrap text (its control characters removed) to w columns: a new array of *n lines, each
   and the array to free with free_lines. Breaks after spaces; a word longer than w is broken. */
static char **wrap_words(const char *text, int w, int *n)
{
	char **lines = NULL, *s = xstrdup(text), *p;
	int cap = 0;

	text_clean(s, 0);
	*n = 0;
	if (w < 1)
		w = 1;
	for (p = s; *p == ' '; p++)
		;
	while (*p) {
		size_t take = fit(p, (size_t)w), k = take;

		if (p[take] && p[take] != ' ') {
			while (k > 0 && p[k - 1] != ' ')
				k--;
			if (!k)
				k = take;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			lines = xrealloc(lines, (size_t)cap * sizeof *lines);
		}
		lines[*n] = xstrndup(p, k);
		while (k && lines[*n][k - 1] == ' ')
			lines[*n][--k] = '\0';
		(*n)++;
		p += strlen(lines[*n - 1]);
		while (*p == ' ')
			p++;
	}
	if (!*n) {
		lines = xrealloc(lines, sizeof *lines);
		lines[(*n)++] = xstrdup("");
	}
	free(s);
	return lines;
}

/* Free what wrap_words returned. */
static void free_lines(char **lines, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Footnotes: each line of text a note, wrapped to width with the lines after its first indented. */
static void notes(struct buf *b, const char *text, int width)
{
	const char *p, *nl;

	for (p = text; *p; p = *nl ? nl + 1 : nl) {
		char *one, **lines;
		int n, i;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		one = xstrndup(p, (size_t)(nl - p));
		lines = wrap_words(one, width - 2, &n);
		for (i = 0; i < n; i++) {
			buf_puts(b, i ? "  " : "");
			buf_puts(b, lines[i]);
			eol(b);
		}
		free_lines(lines, n);
		free(one);
	}
}

static const char *const quota_filters[REPORT_Q_FILTERS] = { N_("all"), N_("open"), N_("nearly full"), N_("full") };

/* The filter's name, as the key bar and the page's summary show it. */
const char *report_quota_filter_name(enum report_quota_filter f)
{
	return f < REPORT_Q_FILTERS ? _(quota_filters[f]) : "";
}

/* Where a quota cell stands: still open with completes, not started, or full (or closed). */
enum cell_state { CELL_OPEN, CELL_EMPTY, CELL_FULL };

struct qcell {
	const json_t *x;
	size_t index;          /* place in the report: quota, then cell */
	enum cell_state state;
	int nearly;            /* open, and at least 90 % of the target reached */
	double share;          /* achieved / target */
};

/* The state of cell x, filled into c. */
static void cell_of(struct qcell *c, const json_t *x, size_t index)
{
	long target = num(x, "target"), got = num(x, "achieved");

	c->x = x;
	c->index = index;
	c->share = target > 0 ? (double)got / (double)target : got > 0;
	if (json_is_true(json_object_get(x, "closed")) || got >= target)
		c->state = CELL_FULL;
	else
		c->state = got > 0 ? CELL_OPEN : CELL_EMPTY;
	c->nearly = c->state == CELL_OPEN && got * 10 >= target * 9;
}

/* Cells of one quota: open ones closest to full first, then those not started, full ones last. */
static int by_fullness(const void *a, const void *b)
{
	const struct qcell *x = a, *y = b;

	if (x->state != y->state)
		return (int)x->state - (int)y->state;
	if (x->state == CELL_FULL && num(x->x, "over") != num(y->x, "over"))
		return num(x->x, "over") < num(y->x, "over") ? 1 : -1;
	if (x->state == CELL_OPEN && x->share != y->share)
		return x->share < y->share ? 1 : -1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Does filter f show cell c (empty open cells are listed apart, by their codes)? */
static int shown(const struct qcell *c, enum report_quota_filter f)
{
	switch (f) {
	case REPORT_Q_OPEN: return c->state == CELL_OPEN;
	case REPORT_Q_NEARLY: return c->nearly;
	case REPORT_Q_FULL: return c->state == CELL_FULL;
	default: return c->state != CELL_EMPTY;
	}
}

/* One quota cell's row: numbers on its first line, the label wrapped under itself; w: the widths
   of target, achieved, open, over and the percentage. */
static void quota_row(struct buf *b, const struct qcell *c, int cell_w, int label_w, int bar_w, const int w[5])
{
	const json_t *x = c->x;
	char t[32], a[32], o[32], v[32], p[32];
	long target = num(x, "target"), got = num(x, "achieved");
	char **label;
	int n, i;

	snprintf(t, sizeof t, "%ld", target);
	snprintf(a, sizeof a, "%ld", got);
	snprintf(o, sizeof o, "%ld", num(x, "open"));
	snprintf(v, sizeof v, "%ld", num(x, "over"));
	if (json_is_true(json_object_get(x, "closed")))
		snprintf(p, sizeof p, "%s", _("closed"));
	else
		percent(p, sizeof p, got, target);
	label = wrap_words(str(x, "label"), label_w, &n);
	buf_puts(b, "  ");
	cell(b, str(x, "cell"), cell_w, 0);
	buf_putc(b, ' ');
	cell(b, label[0], label_w, 0);
	buf_putc(b, ' ');
	cell(b, t, w[0], 1);
	buf_putc(b, ' ');
	cell(b, a, w[1], 1);
	buf_putc(b, ' ');
	cell(b, o, w[2], 1);
	buf_putc(b, ' ');
	cell(b, v, w[3], 1);
	buf_puts(b, "  ");
	bar(b, c->share, bar_w);
	buf_putc(b, ' ');
	cell(b, p, w[4], 1);
	eol(b);
	for (i = 1; i < n; i++) {
		cell(b, "", 3 + cell_w, 0);
		buf_puts(b, label[i]);
		eol(b);
	}
	free_lines(label, n);
}

/* The codes of a quota's cells with no completes yet, as one wrapped paragraph. */
static void empty_cells(struct buf *b, const struct qcell *c, size_t n, long count, int width)
{
	struct buf t;
	char **lines;
	size_t i;
	int k, nl;

	buf_init(&t);
	buf_printf(&t, P_("%ld cell with no completes yet:", "%ld cells with no completes yet:", count), count);
	for (i = 0; i < n; i++)
		if (c[i].state == CELL_EMPTY)
			buf_printf(&t, " %s", str(c[i].x, "cell"));
	lines = wrap_words(buf_str(&t), width - 4, &nl);
	for (k = 0; k < nl; k++) {
		buf_puts(b, k ? "    " : "  ");
		buf_puts(b, lines[k]);
		eol(b);
	}
	free_lines(lines, nl);
	buf_release(&t);
}

/* The quota page: a summary, then per quota the cells the filter shows, closest to full first. */
void report_quotas_text(const json_t *r, int width, enum report_quota_filter filter, struct buf *b)
{
	const json_t *cells = json_object_get(r, "quotas");
	size_t n = json_array_size(cells), i, from, to;
	struct qcell *c;
	struct buf t;
	long open = 0, empty = 0, nearly = 0, full = 0;
	int cell_w = 4, label_w, bar_w, rest, pct_w = share_cols() > (int)cols(_("closed")) ? share_cols() : (int)cols(_("closed"));
	/* the column heads in the reader's language, each as wide as its numbers or wider */
	const char *h_target = _("target"), *h_achieved = _("achieved"), *h_open = _("open"), *h_over = _("over");
	int w_target = (int)cols(h_target) > 6 ? (int)cols(h_target) : 6;
	int w_achieved = (int)cols(h_achieved) > 8 ? (int)cols(h_achieved) : 8;
	int w_open = (int)cols(h_open) > 6 ? (int)cols(h_open) : 6;
	int w_over = (int)cols(h_over) > 4 ? (int)cols(h_over) : 4, ws[5];

	if (width <= 0)
		width = 80;
	if (width < 72)
		width = 72;
	if (filter >= REPORT_Q_FILTERS)
		filter = REPORT_Q_ALL;
	if (!n) {
		buf_printf(b, "  %s\n", _("(this study has no quotas)"));
		return;
	}
	c = xcalloc(n, sizeof *c);
	for (i = 0; i < n; i++) {
		cell_of(&c[i], json_array_get(cells, i), i);
		if ((int)cols(str(c[i].x, "cell")) > cell_w)
			cell_w = (int)cols(str(c[i].x, "cell"));
		open += c[i].state == CELL_OPEN;
		empty += c[i].state == CELL_EMPTY;
		nearly += c[i].nearly;
		full += c[i].state == CELL_FULL;
	}
	if ((int)cols(_("cell")) > cell_w)
		cell_w = (int)cols(_("cell"));   /* the head over the codes, whole */
	if (cell_w > 12)
		cell_w = 12;
	/* the fixed columns take 40 and the cell code; label and bar share the rest */
	rest = width - 40 - cell_w - (pct_w - 6) - (w_target - 6) - (w_achieved - 8) - (w_open - 6) - (w_over - 4);
	bar_w = rest / 4 < 6 ? 6 : rest / 4 > 30 ? 30 : rest / 4;
	label_w = rest - bar_w > 48 ? 48 : rest - bar_w;
	ws[0] = w_target;
	ws[1] = w_achieved;
	ws[2] = w_open;
	ws[3] = w_over;
	ws[4] = pct_w;
	buf_init(&t);
	buf_printf(&t, P_("%ld cell: %ld open with completes (%ld nearly full, >= 90%%), %ld not started, %ld full or"
	                  " closed\n",
	                  "%ld cells: %ld open with completes (%ld nearly full, >= 90%%), %ld not started, %ld full or"
	                  " closed\n", n),
	           (long)n, open, nearly, empty, full);
	buf_printf(&t, _("showing: %s; open cells closest to full first, full cells last\n"), _(quota_filters[filter]));
	notes(b, buf_str(&t), width);
	buf_release(&t);
	for (from = 0; from < n; from = to) {
		const char *q = str(c[from].x, "quota");
		long listed = 0, none = 0;

		for (to = from; to < n && !strcmp(str(c[to].x, "quota"), q); to++) {
			listed += shown(&c[to], filter);
			none += c[to].state == CELL_EMPTY;
		}
		qsort(c + from, to - from, sizeof *c, by_fullness);
		buf_putc(b, '\n');
		cell(b, q, width, 0);
		eol(b);
		if (listed) {
			buf_puts(b, "  ");
			cell(b, _("cell"), cell_w, 0);
			buf_putc(b, ' ');
			cell(b, _("label"), label_w, 0);
			buf_putc(b, ' ');
			cell(b, h_target, w_target, 1);
			buf_putc(b, ' ');
			cell(b, h_achieved, w_achieved, 1);
			buf_putc(b, ' ');
			cell(b, h_open, w_open, 1);
			buf_putc(b, ' ');
			cell(b, h_over, w_over, 1);
			buf_puts(b, "  ");
			cell(b, _("progress"), bar_w + 1 + pct_w, 0);
			eol(b);
		}
		for (i = from; i < to; i++)
			if (shown(&c[i], filter))
				quota_row(b, &c[i], cell_w, label_w, bar_w, ws);
		if (!listed)
			buf_printf(b, _("  (no %s cells)\n"), _(quota_filters[filter]));
		if (none && (filter == REPORT_Q_ALL || filter == REPORT_Q_OPEN))
			empty_cells(b, c + from, to - from, none, width);
	}
	free(c);
}

/* An interviewer's refusal rate, marked "*" when fewer than REPORT_SMALL_BASE calls were answered. */
static void refusal_rate(char *out, size_t n, const json_t *x)
{
	int null;
	long contacts = num(x, "contacts");

	real(x, "refusal_rate", &null);
	if (null || contacts <= 0) {
		snprintf(out, n, "-");
		return;
	}
	percent(out, n, num(x, "refusals"), contacts);
	if (contacts < REPORT_SMALL_BASE)
		snprintf(out + strlen(out), n - strlen(out), "*");
}

/* What the "online" column says of interviewer x: the case key of the one interview they are in
   now when it fits (else "in call"), or "yes"/"no" for seen by the store lately. */
static void online(char *out, size_t n, const json_t *r, const json_t *x)
{
	const json_t *c, *found = NULL;
	size_t i, calls = 0;

	json_array_foreach(json_object_get(r, "on_call"), i, c)
		if (!strcmp(str(c, "user"), str(x, "name"))) {
			found = c;
			calls++;
		}
	if (calls == 1 && cols(str(found, "case")) <= 7 && *str(found, "case"))
		snprintf(out, n, "%s", str(found, "case"));
	else
		snprintf(out, n, "%s", calls ? _("in call") : json_is_true(json_object_get(x, "logged_in")) ? _("yes") : _("no"));
}

static void text_interviewers(const json_t *r, int width, struct buf *b)
{
	const json_t *a = json_object_get(r, "interviewers"), *x;
	int name_w = width - 68, small = 0, estimated = 0, k, j;
	struct buf t;
	size_t i;

	if (name_w > 24)
		name_w = 24;
	buf_init(&t);
	/* two header lines: each column's name over its unit */
	for (k = 0; k < 2; k++) {
		static const char *const head[2][8] = {
			{ "", "", "", N_("hours"), N_("completes"), "", N_("minutes"), N_("refusals") },
			{ N_("interviewer"), N_("online"), N_("completes"), N_("worked"), N_("per hour"), N_("attempts"),
			  N_("per compl"), N_("per contact") },
		};
		static const int w[8] = { 0, 7, 9, 7, 9, 9, 9, 11 };
		cell(b, *head[k][0] ? _(head[k][0]) : "", name_w, 0);
		for (j = 1; j < 8; j++) {
			buf_putc(b, ' ');
			cell(b, *head[k][j] ? _(head[k][j]) : "", w[j], j > 1);
		}
		eol(b);
	}
	json_array_foreach(a, i, x) {
		char c[32], h[32], ph[32], at[32], m[32], rf[32], on[160];

		snprintf(c, sizeof c, "%ld", num(x, "completes"));
		/* hours the workstations did not report are estimated from the calls: marked "~" */
		number(h, sizeof h, x, "hours", !strcmp(str(x, "hours_from"), "calls") ? "~%.1f" : "%.1f");
		estimated |= *h == '~';
		online(on, sizeof on, r, x);
		number(ph, sizeof ph, x, "per_hour", "%.2f");
		snprintf(at, sizeof at, "%ld", num(x, "attempts"));
		number(m, sizeof m, x, "avg_minutes", "%.1f");
		refusal_rate(rf, sizeof rf, x);
		small |= strchr(rf, '*') != NULL;
		cell(b, str(x, "name"), name_w, 0);
		buf_putc(b, ' ');
		cell(b, on, 7, 0);
		buf_putc(b, ' ');
		cell(b, c, 9, 1);
		buf_putc(b, ' ');
		cell(b, h, 7, 1);
		buf_putc(b, ' ');
		cell(b, ph, 9, 1);
		buf_putc(b, ' ');
		cell(b, at, 9, 1);
		buf_putc(b, ' ');
		cell(b, m, 9, 1);
		buf_putc(b, ' ');
		cell(b, rf, 11, 1);
		eol(b);
	}
	if (!json_array_size(a))
		buf_printf(b, "  %s\n", _("(no interviewers have cases or calls in this study yet)"));
	buf_printf(&t, _("online: seen by the store in the last %ld minutes; a case number (or \"in call\"):"
	                 " in that interview now\n"
	                 "hours worked: time logged in at a workstation, as its syncs report it (a pause of over"
	                 " %d minutes ends a session)\n"
	                 "completes per hour: completes / hours worked; \"-\" below %d minutes worked"
	                 " (too little time to tell an hourly rate)\n"
	                 "minutes per complete: the average length of a complete interview\n"
	                 "refusals per contact: refusals among the calls someone answered\n"),
	           num(r, "seen_minutes"), REPORT_WORK_GAP / 60, REPORT_MIN_WORK_MINUTES);
	if (estimated)
		buf_puts(&t, _("~ estimated: no sessions reported (older workstations, earlier data): each day from the"
		               " first to the last call or interview, added up over the days\n"));
	if (small)
		buf_printf(&t, _("* small base: fewer than %d calls answered; the rate can change a lot with the next"
		                 " calls\n"), REPORT_SMALL_BASE);
	buf_putc(b, '\n');
	notes(b, buf_str(&t), width);
	buf_release(&t);
}

/* Append item to the line in b, or first break it when used + item would pass width. */
static void flow(struct buf *b, const char *item, const char *gap, int width, int *used)
{
	int n = (int)strlen(item), g = *used ? (int)strlen(gap) : 0;

	if (*used && *used + g + n > width) {
		eol(b);
		*used = 0;
		g = 0;
	}
	buf_printf(b, "%s%s", g ? gap : "", item);
	*used += g + n;
}

/*
 * The rates part of the dispositions section: the edition, the groups and e, e by class under
 * the 10th edition (each estimated or given), and the rates, a family a line, every rate "NAME
 * value" with the family's names padded alike and three spaces between rates, so 100.0% never
 * runs into its name; lines break at width.
 */
static void text_rates(const json_t *rates, int width, struct buf *b)
{
	static const char *const fams[][7] = {
		{ "RR1", "RR2", "RR3", "RR4", "RR5", "RR6", NULL },
		{ "COOP1", "COOP2", "COOP3", "COOP4", NULL },
		{ "REF1", "REF2", "REF3", NULL },
		{ "CON1", "CON2", "CON3", NULL },
	};
	static const char *const groups[] = { "I", "P", "R", "NC", "O", "UH", "UR", "UO", "NE", NULL };
	static const char *const classes[] = { "UH", "UR", "UO", NULL };
	const json_t *g = json_object_get(rates, "groups");
	long edition = num(rates, "edition");
	char t[96], key[32], num_t[32];
	int null, i, k, used;

	/* a report from before the 10th edition came in has no edition: it is the 9th */
	if (edition != 10)
		edition = 9;
	buf_printf(b, _("AAPOR Standard Definitions, %s"), edition == 10 ? _("10th edition (2023)") : _("9th edition (2016)"));
	eol(b);
	used = 0;
	flow(b, _("groups:"), "", width, &used);
	for (i = 0; groups[i]; i++) {
		if (!json_object_get(g, groups[i]))
			continue;
		snprintf(t, sizeof t, "%s %ld", groups[i], num(g, groups[i]));
		flow(b, t, " ", width, &used);
	}
	/* e over all unknown cases ends the groups' line in both editions (the console reads it there) */
	for (i = 0, k = 0; edition == 10 && classes[i]; i++) {
		snprintf(key, sizeof key, "e_%s_estimated", classes[i]);
		k += json_is_false(json_object_get(rates, key));   /* classes given */
	}
	snprintf(key, sizeof key, "%.3f", real(rates, "e", &null));
	i18n_number(num_t, sizeof num_t, key);
	snprintf(t, sizeof t, "e %s %s", num_t,
	         json_is_true(json_object_get(rates, "e_estimated")) ? _("(estimated)") : k && k < 3 ? _("(partly given)") : _("(given)"));
	flow(b, t, "; ", width, &used);
	eol(b);
	if (edition == 10 && json_object_get(rates, "e_UH")) {
		used = 0;
		flow(b, _("e by class:"), "", width, &used);
		for (i = 0; classes[i]; i++) {
			double e;
			snprintf(key, sizeof key, "e_%s", classes[i]);
			e = real(rates, key, &null);
			snprintf(key, sizeof key, "%.3f", e);
			i18n_number(num_t, sizeof num_t, key);
			snprintf(key, sizeof key, "e_%s_estimated", classes[i]);
			snprintf(t, sizeof t, "%s %s %s", classes[i], num_t,
			         json_is_true(json_object_get(rates, key)) ? _("(estimated)") : _("(given)"));
			flow(b, t, i ? "  " : " ", width, &used);
		}
		eol(b);
	}
	for (i = 0; i < 4; i++) {
		int name_w = 0;
		for (k = 0; fams[i][k]; k++)
			if ((int)strlen(fams[i][k]) > name_w)
				name_w = (int)strlen(fams[i][k]);
		used = 0;
		for (k = 0; fams[i][k]; k++) {
			double v = real(rates, fams[i][k], &null);
			char value[32];
			if (null)
				snprintf(value, sizeof value, "%s", _("n/a"));
			else
				share_text(value, sizeof value, 100.0 * v);
			snprintf(t, sizeof t, "%-*s %*s", name_w, fams[i][k], share_cols(), value);
			flow(b, t, "   ", width, &used);
		}
		eol(b);
	}
}

static void text_dispositions(const json_t *r, int width, struct buf *b)
{
	const json_t *a = json_object_get(r, "dispositions"), *rates = json_object_get(r, "rates"), *x;
	int label_w = width - 24;
	long total = 0;
	size_t j;

	if (label_w > 56)
		label_w = 56;
	cell(b, _("code"), 7, 0);
	buf_putc(b, ' ');
	cell(b, _("disposition"), label_w, 0);
	buf_putc(b, ' ');
	cell(b, _("group"), 5, 0);
	buf_puts(b, "       n");
	eol(b);
	json_array_foreach(a, j, x) {
		char n[32];
		snprintf(n, sizeof n, "%ld", num(x, "n"));
		total += num(x, "n");
		cell(b, str(x, "code"), 7, 0);
		buf_putc(b, ' ');
		cell(b, _(str(x, "label")), label_w, 0);
		buf_putc(b, ' ');
		cell(b, str(x, "group"), 5, 0);
		buf_putc(b, ' ');
		cell(b, n, 7, 1);
		eol(b);
	}
	{
		char n[32];
		snprintf(n, sizeof n, "%ld", total);
		cell(b, "", 7, 0);
		buf_putc(b, ' ');
		cell(b, _("cases"), label_w, 0);
		buf_puts(b, "       ");
		cell(b, n, 7, 1);
		eol(b);
	}
	text_rates(rates, width, b);
}

/* One line of results: label, bar, share and n; bars line up whatever the indent. A share of
   fewer than REPORT_SMALL_BASE answers says so beside its n: "(n=12, small base)". */
static void result_line(struct buf *b, int indent, const char *label, long n, long top, int width)
{
	char p[32], ns[64];
	int pct_w = share_cols();
	int label_w = (width > 100 ? 30 : 24) + 4 - indent, bar_w = width - 4 - (width > 100 ? 30 : 24) - 28 - (pct_w - 6);

	percent(p, sizeof p, top, n);
	if (n < REPORT_SMALL_BASE)
		snprintf(ns, sizeof ns, _("(n=%ld, small base)"), n);
	else
		snprintf(ns, sizeof ns, "n=%ld", n);
	if (bar_w > 50)
		bar_w = 50;
	cell(b, "", indent, 0);
	cell(b, label, label_w, 0);
	buf_putc(b, ' ');
	bar(b, n ? (double)top / (double)n : 0, bar_w);
	buf_putc(b, ' ');
	cell(b, p, pct_w, 1);
	buf_putc(b, ' ');
	cell(b, ns, 18, 0);
	eol(b);
}

/* A question's text with its fills ("{office}") shown as placeholders ("[office]"): a new string. */
static char *readable_fills(const char *text)
{
	char *s = xstrdup(text), *p;

	for (p = s; *p; p++) {
		char *close;
		if (*p != '{' || !(close = strchr(p + 1, '}')))
			continue;
		*p = '[';
		*close = ']';
		p = close;
	}
	return s;
}

static void text_results(const json_t *r, int width, const char *question, struct buf *b)
{
	const json_t *res = json_object_get(r, "results"), *qs = json_object_get(res, "questions");
	const json_t *rows = json_object_get(res, "rows"), *q, *x;
	size_t i, j;
	int small = 0;

	if (!json_array_size(qs)) {
		buf_printf(b, "  %s\n", _("(the form has no single-choice questions on a 6-point scale)"));
		return;
	}
	buf_puts(b, _("top-2-box: codes 1 and 2 of 6; n: valid answers (no don't know, refused)\n"));
	json_array_foreach(qs, i, q) {
		const char *id = str(q, "id"), *seg = NULL;
		char *text = readable_fills(str(q, "text")), **lines;
		struct buf h;
		int nl, k;

		if (question && strcmp(question, id)) {
			free(text);
			continue;
		}
		/* the whole question, wrapped: a heading cut short hides what was asked */
		buf_init(&h);
		buf_printf(&h, "%s  %s", id, text);
		free(text);
		buf_putc(b, '\n');
		lines = wrap_words(buf_str(&h), width, &nl);
		for (k = 0; k < nl; k++) {
			buf_puts(b, lines[k]);
			eol(b);
		}
		free_lines(lines, nl);
		buf_release(&h);
		json_array_foreach(rows, j, x) {
			if (strcmp(str(x, "question"), id))
				continue;
			small |= num(x, "n") < REPORT_SMALL_BASE;
			if (!strcmp(str(x, "segment"), "all")) {
				result_line(b, 2, str(x, "label"), num(x, "n"), num(x, "top2"), width);
				continue;
			}
			if (!seg || strcmp(seg, str(x, "segment"))) {
				seg = str(x, "segment");
				buf_printf(b, "  %s ", _("by"));
				cell(b, seg, width - 4 - (int)cols(_("by")), 0);
				eol(b);
			}
			result_line(b, 4, str(x, "label"), num(x, "n"), num(x, "top2"), width);
		}
	}
	if (small) {
		struct buf t;
		buf_init(&t);
		buf_printf(&t, _("small base: fewer than %d answers; a share of so few can change a lot with the next"
		                 " interviews (1 of 1 is 100%%): read it as a hint, not a figure"), REPORT_SMALL_BASE);
		buf_putc(b, '\n');
		notes(b, buf_str(&t), width);
		buf_release(&t);
	}
}

/* The first 8 characters of a uuid: enough to find it, short enough for a screen. */
static void short_id(char out[9], const char *id)
{
	snprintf(out, 9, "%.8s", id);
}

/* "2026-03-02T09:58:45.000Z" as "2026-03-02 09:58" (UTC), the date as the reader writes it. */
static void when(char out[17], const char *iso)
{
	char t[17];

	snprintf(t, sizeof t, "%.16s", iso);
	if (t[10] == 'T')
		t[10] = ' ';
	i18n_date(out, 17, t);
}

/* The columns both problem lists start with. */
static void problem_start(struct buf *b, const json_t *x)
{
	char id[9], at[17];

	short_id(id, str(x, "interview"));
	when(at, str(x, "at"));
	buf_puts(b, "  ");
	cell(b, id, 9, 0);
	buf_putc(b, ' ');
	cell(b, str(x, "case"), 12, 0);
	buf_putc(b, ' ');
	cell(b, str(x, "interviewer"), 12, 0);
	buf_putc(b, ' ');
	cell(b, at, 16, 0);
	buf_putc(b, ' ');
}

/* The heads of the columns problem_start fills, then of the last one. */
static void problem_head(struct buf *b, const char *at, const char *last)
{
	buf_puts(b, "  ");
	cell(b, _("interview"), 9, 0);
	buf_putc(b, ' ');
	cell(b, _("case"), 12, 0);
	buf_putc(b, ' ');
	cell(b, _("interviewer"), 12, 0);
	buf_putc(b, ' ');
	cell(b, at, 16, 0);
	buf_putc(b, ' ');
	buf_puts(b, last);
	eol(b);
}

/* Paragraph text wrapped to width, each line indented by two spaces. */
static void explain(struct buf *b, const char *text, int width)
{
	char **lines;
	int n, i;

	lines = wrap_words(text, width - 2, &n);
	for (i = 0; i < n; i++) {
		buf_puts(b, "  ");
		buf_puts(b, lines[i]);
		eol(b);
	}
	free_lines(lines, n);
}

static void text_problems(const json_t *r, int width, struct buf *b)
{
	const json_t *p = json_object_get(r, "problems"), *tot = json_object_get(r, "totals"), *x;
	const json_t *d = json_object_get(p, "duplicates"), *o = json_object_get(p, "over_quota");
	const json_t *cf = json_object_get(p, "conflicts");
	long nconf = num(p, "conflicts_total");
	size_t i;
	char kept[9];

	buf_printf(b, _("Duplicates: %ld (a case completed again after it was complete)\n"), num(tot, "duplicates"));
	if (num(tot, "duplicates"))
		explain(b, _("Two complete interviews of one case, say from two workstations. The figures count"
		             " the first complete (kept) only. What to do: ask both interviewers whom they spoke to;"
		             " if it was the same person, nothing more; if not, the case's sample record is wrong."), width);
	if (json_array_size(d))
		problem_head(b, _("ended"), _("kept (by)"));
	json_array_foreach(d, i, x) {
		struct buf k;
		buf_init(&k);
		short_id(kept, str(x, "kept"));
		buf_printf(&k, "%s (%s)", kept, str(x, "kept_interviewer"));
		problem_start(b, x);
		cell(b, buf_str(&k), width - 56, 0);
		eol(b);
		buf_release(&k);
	}
	if ((long)json_array_size(d) < num(tot, "duplicates"))
		buf_printf(b, _("  ... and %ld more\n"), num(tot, "duplicates") - (long)json_array_size(d));
	buf_printf(b, _("\nConflicts: %ld (a record sent again with other content)\n"), nconf);
	if (nconf)
		explain(b, _("A workstation sent a record the store already had, under the same id but with other"
		             " content (a workstation restored from a backup or copied, or a record changed after it"
		             " was sent). The store keeps the first version, counts only that one, and sets the other"
		             " aside. What to do: ask the interviewer which version is right and tell the operator;"
		             " the same record sent twice unchanged is harmless and not listed."), width);
	if (json_array_size(cf)) {
		buf_puts(b, "  ");
		cell(b, _("record"), 9, 0);
		buf_putc(b, ' ');
		cell(b, _("case"), 12, 0);
		buf_putc(b, ' ');
		cell(b, _("interviewer"), 12, 0);
		buf_putc(b, ' ');
		cell(b, _("received"), 16, 0);
		buf_putc(b, ' ');
		buf_puts(b, _("kind (sent by)"));
		eol(b);
	}
	json_array_foreach(cf, i, x) {
		struct buf k;
		char id[9], at[17];

		short_id(id, str(x, "uuid"));
		when(at, str(x, "at"));
		buf_puts(b, "  ");
		cell(b, id, 9, 0);
		buf_putc(b, ' ');
		cell(b, str(x, "case"), 12, 0);
		buf_putc(b, ' ');
		cell(b, str(x, "interviewer"), 12, 0);
		buf_putc(b, ' ');
		cell(b, at, 16, 0);
		buf_putc(b, ' ');
		buf_init(&k);
		buf_printf(&k, "%s (%s)", str(x, "kind"), str(x, "sent_by"));
		cell(b, buf_str(&k), width - 56, 0);
		eol(b);
		buf_release(&k);
	}
	if ((long)json_array_size(cf) < nconf)
		buf_printf(b, _("  ... and %ld more\n"), nconf - (long)json_array_size(cf));
	buf_printf(b, _("\nOver quota: %ld (completes beyond the target or in a closed cell)\n"), num(tot, "over_quota"));
	if (num(tot, "over_quota"))
		explain(b, _("Completes that arrived after their quota cell was full or closed (workstations"
		             " working offline, or a target lowered). They are kept and exported. What to do:"
		             " decide whether to keep them in the analysis; close or raise the cell's target."), width);
	if (json_array_size(o))
		problem_head(b, _("ended"), _("quota cell"));
	json_array_foreach(o, i, x) {
		struct buf q;
		buf_init(&q);
		buf_printf(&q, "%s %s%s%s", str(x, "quota"), str(x, "cell"), *str(x, "label") ? " " : "", str(x, "label"));
		problem_start(b, x);
		cell(b, buf_str(&q), width - 56, 0);
		eol(b);
		buf_release(&q);
	}
}

/* What every rate and class of the dispositions page means: one line each, plain words. */
static const char *const legend[][2] = {
	{ "I", N_("complete interviews") },
	{ "P", N_("partial interviews (broken off after enough answers)") },
	{ "R", N_("refusals and break-offs") },
	{ "NC", N_("eligible, never reached the respondent") },
	{ "O", N_("other eligible non-interviews (language, illness)") },
	{ "UH", N_("unknown if a household: never reached anyone") },
	{ "UR", N_("unknown if respondent: a household, eligibility not known") },
	{ "UO", N_("unknown, other") },
	{ "NE", N_("not eligible (screened out, number not in use)") },
	{ "e", N_("share of unknown cases taken as eligible (per class UH, UR, UO)") },
	{ "RR1", N_("completes among all eligible and unknown cases (lowest)") },
	{ "RR2", N_("as RR1, partials counted as interviews") },
	{ "RR3", N_("as RR1, only the share e of unknown cases counted") },
	{ "RR4", N_("as RR3, partials counted as interviews") },
	{ "RR5", N_("completes among known eligible cases only (highest)") },
	{ "RR6", N_("as RR5, partials counted as interviews") },
	{ "COOP1", N_("completes among the eligible cases reached") },
	{ "COOP2", N_("as COOP1, partials counted as interviews") },
	{ "COOP3", N_("completes among those reached who could answer (no O)") },
	{ "COOP4", N_("as COOP3, partials counted as interviews") },
	{ "REF1", N_("refusals among all eligible and unknown cases") },
	{ "REF2", N_("as REF1, only the share e of unknown cases counted") },
	{ "REF3", N_("refusals among known eligible cases only") },
	{ "CON1", N_("cases in which someone was reached, of all eligible and unknown") },
	{ "CON2", N_("as CON1, only the share e of unknown cases counted") },
	{ "CON3", N_("cases in which someone was reached, of known eligible ones") },
};

/* The legend of the classes and rates, one line each. */
void report_legend(int width, struct buf *out)
{
	size_t i;

	buf_printf(out, "%s\n", _("What the classes and rates mean (AAPOR Standard Definitions)"));
	for (i = 0; i < sizeof legend / sizeof legend[0]; i++) {
		buf_puts(out, "  ");
		cell(out, legend[i][0], 6, 0);
		cell(out, _(legend[i][1]), width - 9, 0);
		eol(out);
	}
}

/* The time of day of "2026-03-02T09:58:45Z", its first n characters ("09:58" for 5); "" when none. */
static void clock_of(char out[16], const char *iso, int n)
{
	const char *t = strchr(iso, 'T');

	snprintf(out, 16, "%.*s", n, t ? t + 1 : "");
}

/* Who is in an interview now: interviewer, case, question, minutes in it, when last heard of. */
static void text_on_call(const json_t *r, int width, struct buf *b)
{
	const json_t *a = json_object_get(r, "on_call"), *x;
	int name_w = (width - 38) / 3, case_w, q_w;
	size_t i;

	if (name_w > 20)
		name_w = 20;
	case_w = name_w;
	q_w = width - 38 - name_w - case_w;
	if (q_w > 30)
		q_w = 30;
	cell(b, _("interviewer"), name_w, 0);
	buf_putc(b, ' ');
	cell(b, _("case"), case_w, 0);
	buf_putc(b, ' ');
	cell(b, _("question"), q_w, 0);
	buf_putc(b, ' ');
	cell(b, _("minutes"), 7, 1);
	buf_putc(b, ' ');
	cell(b, _("started"), 8, 1);
	buf_puts(b, "  ");
	buf_puts(b, _("last seen"));
	eol(b);
	json_array_foreach(a, i, x) {
		char m[32], st[16], seen[16];

		snprintf(m, sizeof m, "%ld", num(x, "minutes"));
		clock_of(st, str(x, "started_at"), 5);
		clock_of(seen, str(x, "last_seen"), 8);
		cell(b, str(x, "user"), name_w, 0);
		buf_putc(b, ' ');
		cell(b, str(x, "case"), case_w, 0);
		buf_putc(b, ' ');
		cell(b, *str(x, "question") ? str(x, "question") : "-", q_w, 0);
		buf_putc(b, ' ');
		cell(b, m, 7, 1);
		buf_putc(b, ' ');
		cell(b, st, 8, 1);
		buf_puts(b, "  ");
		cell(b, seen, 15, 0);
		eol(b);
	}
	if (!json_array_size(a))
		buf_printf(b, "  %s\n", _("(nobody is in an interview of this study now)"));
	buf_printf(b, _("\ntimes in UTC, as the workstations' syncs report them; a workstation not\n"
	                "heard of for %ld minutes is left out\n"), num(r, "seen_minutes"));
}

void report_totals(const json_t *t, struct buf *out)
{
	long n;

	/* one plural a figure, for the languages whose plurals go otherwise than English's */
	n = num(t, "cases");
	buf_printf(out, P_("%ld case", "%ld cases", n), n);
	n = num(t, "attempts");
	buf_printf(out, P_(", %ld call", ", %ld calls", n), n);
	n = num(t, "completes");
	buf_printf(out, P_(", %ld complete", ", %ld completes", n), n);
	n = num(t, "screenouts");
	buf_printf(out, P_(", %ld screen-out", ", %ld screen-outs", n), n);
	n = num(t, "duplicates");
	buf_printf(out, P_(", %ld duplicate", ", %ld duplicates", n), n);
	n = num(t, "over_quota");
	buf_printf(out, P_(", %ld over quota", ", %ld over quota", n), n);
}

void report_text(const json_t *r, int section, int width, const char *question, struct buf *out)
{
	size_t from = out->len;
	int s;

	if (width <= 0)
		width = 80;
	if (width < 72)
		width = 72;   /* the tables' fixed columns; a narrower terminal clips */
	if (section < 0) {
		const json_t *t = json_object_get(r, "totals");
		struct buf h;
		buf_init(&h);
		buf_printf(&h, _("%s: %s (version %s), %s"), str(r, "study"), str(r, "title"), str(r, "version"),
		           str(r, "generated_at"));
		cell(out, buf_str(&h), width, 0);
		eol(out);
		buf_release(&h);
		report_totals(t, out);
		buf_putc(out, '\n');
	}
	for (s = 0; s < REPORT_SECTIONS; s++) {
		if (section >= 0 && s != section)
			continue;
		if (section < 0)
			buf_printf(out, "\n== %s\n", _(sections[s].title));
		switch (s) {
		case REPORT_QUOTAS: report_quotas_text(r, width, REPORT_Q_ALL, out); break;
		case REPORT_INTERVIEWERS: text_interviewers(r, width, out); break;
		case REPORT_DISPOSITIONS: text_dispositions(r, width, out); break;
		case REPORT_RESULTS: text_results(r, width, question, out); break;
		case REPORT_PROBLEMS: text_problems(r, width, out); break;
		case REPORT_ON_CALL: text_on_call(r, width, out); break;
		}
		/* the rates' legend goes with them (the console shows it on F1 too) */
		if (s == REPORT_DISPOSITIONS) {
			buf_putc(out, '\n');
			report_legend(width, out);
		}
	}
	/* texts printed outside the table cells too: no control characters reach the terminal */
	if (out->len > from)
		out->len = from + text_clean(out->data + from, 1);
}

int report_questions(const json_t *r, const char **ids, int n)
{
	const json_t *qs = json_object_get(json_object_get(r, "results"), "questions"), *q;
	size_t i;
	int k = 0;

	json_array_foreach(qs, i, q) {
		if (k < n)
			ids[k] = str(q, "id");
		k++;
	}
	return k;
}

/* CSV --------------------------------------------------------------------------------------- */

/* One field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_field(struct buf *b, const char *text, int first)
{
	char *clean = xstrdup(text), *s = clean;

	/* a CSV report is printed on terminals too: what was pushed loses its control characters */
	text_clean(clean, 0);
	if (!first)
		buf_putc(b, ',');
	if (!strpbrk(s, ",\"\r\n")) {
		buf_puts(b, s);
		free(clean);
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
	free(clean);
}

/* A JSON value as a CSV field: text as is, integers, reals with 4 decimals, null empty. */
static void csv_value(struct buf *b, const json_t *v)
{
	char t[64] = "";

	if (json_is_string(v)) {
		csv_field(b, json_string_value(v), 0);
		return;
	}
	if (json_is_integer(v))
		snprintf(t, sizeof t, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(t, sizeof t, "%.4f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(t, sizeof t, "%d", json_is_true(v));
	csv_field(b, t, 0);
}

/* A table: a header of section + keys, then one row per object of a. */
static void csv_table(struct buf *b, const char *section, const char *const *keys, const json_t *a)
{
	const json_t *x;
	size_t i;
	int k;

	csv_field(b, "section", 1);
	for (k = 0; keys[k]; k++)
		csv_field(b, keys[k], 0);
	buf_puts(b, "\r\n");
	json_array_foreach(a, i, x) {
		csv_field(b, section, 1);
		for (k = 0; keys[k]; k++)
			csv_value(b, json_object_get(x, keys[k]));
		buf_puts(b, "\r\n");
	}
}

void report_csv(const json_t *r, int section, struct buf *out)
{
	static const char *const quota_keys[] = { "quota", "cell", "label", "target", "achieved", "open", "closed", "over",
	                                          "state", NULL };
	static const char *const iv_keys[] = { "name", "logged_in", "last_seen", "completes", "hours", "per_hour", "attempts",
	                                       "avg_minutes", "contacts", "refusals", "refusal_rate", "small_base", "hours_from", NULL };
	static const char *const disp_keys[] = { "code", "label", "group", "n", NULL };
	static const char *const rate_keys[] = { "measure", "value", NULL };
	static const char *const res_keys[] = { "question", "segment", "value", "label", "n", "top2", "share", "small_base",
	                                        NULL };
	static const char *const prob_keys[] = { "problem", "interview", "case", "interviewer", "at", "quota", "cell", "label",
	                                         "kept", "kept_interviewer", "record", "kind", "sent_by", "meaning", NULL };
	static const char *const legend_keys[] = { "measure", "meaning", NULL };
	static const char *const call_keys[] = { "user", "case", "question", "started_at", "minutes", "last_seen", NULL };
	/* the edition and e per class came with the 10th edition: rows added, none renamed */
	static const char *const measures[] = { "edition", "e", "e_estimated", "e_UH", "e_UH_estimated", "e_UR",
	                                        "e_UR_estimated", "e_UO", "e_UO_estimated", "RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4",
	                                        "REF1", "REF2", "REF3", "CON1", "CON2", "CON3", NULL };
	int s, first = 1, k;

	for (s = 0; s < REPORT_SECTIONS; s++) {
		json_t *rows, *x;
		const json_t *p;
		size_t i;

		if (section >= 0 && s != section)
			continue;
		if (!first)
			buf_puts(out, "\r\n");
		first = 0;
		switch (s) {
		case REPORT_QUOTAS:
			/* each cell's state, as the console's filter tells them apart */
			rows = json_deep_copy(json_object_get(r, "quotas"));
			json_array_foreach(rows, i, x) {
				struct qcell c;
				cell_of(&c, x, i);
				json_object_set_new(x, "state", json_string(c.state == CELL_FULL ? "full" : c.nearly ? "nearly full"
				                                            : c.state == CELL_OPEN ? "open" : "not started"));
			}
			csv_table(out, "quotas", quota_keys, rows);
			json_decref(rows);
			break;
		case REPORT_INTERVIEWERS:
			rows = json_deep_copy(json_object_get(r, "interviewers"));
			json_array_foreach(rows, i, x)
				json_object_set_new(x, "small_base", json_boolean(num(x, "contacts") < REPORT_SMALL_BASE));
			csv_table(out, "interviewers", iv_keys, rows);
			json_decref(rows);
			break;
		case REPORT_DISPOSITIONS:
			csv_table(out, "dispositions", disp_keys, json_object_get(r, "dispositions"));
			buf_puts(out, "\r\n");
			rows = json_array();
			for (k = 0; measures[k]; k++) {
				if (!json_object_get(json_object_get(r, "rates"), measures[k]))
					continue;   /* e_UR under the 9th edition */
				x = json_object();
				json_object_set_new(x, "measure", json_string(measures[k]));
				json_object_set(x, "value", json_object_get(json_object_get(r, "rates"), measures[k]));
				json_array_append_new(rows, x);
			}
			csv_table(out, "rates", rate_keys, rows);
			json_decref(rows);
			buf_puts(out, "\r\n");
			rows = json_array();
			for (i = 0; i < sizeof legend / sizeof legend[0]; i++)
				json_array_append_new(rows, json_pack("{s:s, s:s}", "measure", legend[i][0], "meaning", legend[i][1]));
			csv_table(out, "legend", legend_keys, rows);
			json_decref(rows);
			break;
		case REPORT_RESULTS:
			rows = json_deep_copy(json_object_get(json_object_get(r, "results"), "rows"));
			json_array_foreach(rows, i, x)
				json_object_set_new(x, "small_base", json_boolean(num(x, "n") < REPORT_SMALL_BASE));
			csv_table(out, "results", res_keys, rows);
			json_decref(rows);
			break;
		case REPORT_PROBLEMS:
			/* the lists in one table, told apart by the problem column */
			rows = json_array();
			p = json_object_get(r, "problems");
			json_array_foreach(json_object_get(p, "duplicates"), i, x) {
				json_t *y = json_deep_copy(x);
				json_object_set_new(y, "problem", json_string("duplicate"));
				json_object_set_new(y, "meaning", json_string("the case was completed again after it was complete;"
				                                              " only the kept complete is counted"));
				json_array_append_new(rows, y);
			}
			json_array_foreach(json_object_get(p, "over_quota"), i, x) {
				json_t *y = json_deep_copy(x);
				json_object_set_new(y, "problem", json_string("over_quota"));
				json_object_set_new(y, "meaning", json_string("a complete beyond its cell's target or in a closed cell"));
				json_array_append_new(rows, y);
			}
			json_array_foreach(json_object_get(p, "conflicts"), i, x) {
				json_t *y = json_deep_copy(x);
				json_object_set_new(y, "problem", json_string("conflict"));
				json_object_set(y, "record", json_object_get(x, "uuid"));
				json_object_set_new(y, "meaning", json_string("a record sent again with other content; the store kept"
				                                              " the first version and set this one aside"));
				json_array_append_new(rows, y);
			}
			csv_table(out, "problems", prob_keys, rows);
			json_decref(rows);
			break;
		case REPORT_ON_CALL:
			csv_table(out, "on_call", call_keys, json_object_get(r, "on_call"));
			break;
		}
	}
}
