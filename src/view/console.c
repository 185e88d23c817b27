/* console.c: lay out the supervisor's console (cati supervise) from a report, as styled lines. */
#include "cati/view.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/report.h"
#include "cati/i18n.h"

/* Show b on row y of v without the control characters a pushed text or a message may carry. */
static void set_clean(struct view *v, int y, enum view_style st, struct buf *b)
{
	if (b->data)
		b->len = text_clean(b->data, 0);
	view_set(v, y, st, buf_str(b));
}

/* The help page (F1): the console's keys, then what each rate and class means. */
static void help_text(int width, struct buf *out)
{
	buf_printf(out, _("Keys\n"
	                "  1-%d Tab      a page; \xE2\x86\x90\xE2\x86\x92 the next page, or the next question on Results\n"
	                "  \xE2\x86\x91\xE2\x86\x93 PgUp PgDn  scroll; Home End the top and the bottom\n"
	                "  f            Quotas: show all cells, the open ones, the nearly full, the full\n"
	                "  r            fetch the figures now (they refresh by themselves too)\n"
	                "  F1 ?         this page, and back;  q quit\n\n"), REPORT_SECTIONS);
	report_legend(width, out);
	buf_puts(out, _("\nsmall base: a share or rate of fewer than 30 answers or contacts, marked\n"
	                "  \"(n=12, small base)\" or \"*\": it can change a lot with the next few cases\n"));
}

/* The page's body: the report's section (or the help) as text at this width, one entry per line. */
static char **body_lines(const json_t *r, const struct view_console *c, const char *question, int width, int *n)
{
	struct buf text;
	char **lines = NULL, *p, *nl;
	int cap = 0;

	*n = 0;
	buf_init(&text);
	if (c->help)
		help_text(width, &text);
	else if (!r)
		buf_printf(&text, "%s\n", _("Fetching the report from the store..."));
	else if (c->page == REPORT_QUOTAS)
		report_quotas_text(r, width, (enum report_quota_filter)c->quota_filter, &text);
	else
		report_text(r, c->page, width, question, &text);
	for (p = text.data; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			lines = xrealloc(lines, (size_t)cap * sizeof *lines);
		}
		lines[(*n)++] = xstrndup(p, (size_t)(nl - p));
		if (!*nl)
			break;
	}
	buf_release(&text);
	return lines;
}

/* The page tabs, the current one in brackets, in width columns: the other pages' names give way
   to their numbers when all the names do not fit (never a name cut in the middle). */
static void tabs(struct buf *b, const struct view_console *c, int nq, int width)
{
	static const char *const tabs_en[REPORT_SECTIONS] = { N_("Quotas"), N_("Interviewers"), N_("Dispositions"),
	                                                      N_("Results"), N_("Problems"), N_("On call") };
	const char *tab[REPORT_SECTIONS];
	size_t start = b->len;
	int names, s;

	for (s = 0; s < REPORT_SECTIONS; s++)
		tab[s] = _(tabs_en[s]);
	for (names = 1; names >= 0; names--) {
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
		for (s = 0; s < REPORT_SECTIONS; s++) {
			if (s == REPORT_RESULTS && s == c->page && nq)
				buf_printf(b, "[%d %s %d/%d]", s + 1, tab[s], c->question + 1, nq);
			else if (s == c->page)
				buf_printf(b, "[%d %s]", s + 1, tab[s]);
			else if (names)
				buf_printf(b, " %d %s ", s + 1, tab[s]);
			else
				buf_printf(b, " %d ", s + 1);
		}
		if (view_width(b->data + start, b->len - start) <= width)
			break;
	}
}

void view_console(struct view *v, const json_t *r, struct view_console *c)
{
	const json_t *t = json_object_get(r, "totals");
	const char *ids[256];
	int nq = r ? report_questions(r, ids, 256) : 0, n = 0, rows, i;
	char **lines;
	struct buf b;

	if (nq > 256)
		nq = 256;
	if (c->page < 0 || c->page >= REPORT_SECTIONS)
		c->page = 0;
	if (c->quota_filter < 0 || c->quota_filter >= REPORT_Q_FILTERS)
		c->quota_filter = 0;
	if (c->question >= nq)
		c->question = nq ? nq - 1 : 0;
	if (c->question < 0)
		c->question = 0;
	buf_init(&b);
	buf_printf(&b, " %s \xE2\x94\x82 %s", "cati supervise", c->study);
	if (r && json_string_value(json_object_get(r, "title")))
		buf_printf(&b, ": %s", json_string_value(json_object_get(r, "title")));
	buf_printf(&b, " \xE2\x94\x82 %s", c->user);
	set_clean(v, 0, VIEW_BAR, &b);
	buf_reset(&b);
	if (!c->help)
		tabs(&b, c, nq, v->width);
	/* the help page stands instead of the tabs: they would not leave room to say so */
	if (c->help)
		buf_printf(&b, _("[F1 legend]  the keys, and what each rate means; 1-%d or Tab: a page"), REPORT_SECTIONS);
	view_set(v, 1, VIEW_TITLE, buf_str(&b));
	buf_reset(&b);
	if (t) {
		buf_putc(&b, ' ');
		report_totals(t, &b);
	}
	view_set(v, 2, VIEW_DIM, buf_str(&b));

	lines = body_lines(r, c, c->page == REPORT_RESULTS && nq ? ids[c->question] : NULL, v->width - 1, &n);
	rows = v->height - 5;
	if (c->scroll > n - rows)
		c->scroll = n - rows;
	if (c->scroll < 0)
		c->scroll = 0;
	for (i = 0; i < rows && c->scroll + i < n; i++) {
		const char *l = lines[c->scroll + i];
		/* headings (question texts, quota names) stand out; table rows are indented */
		enum view_style st = !c->help && (c->page == REPORT_RESULTS || c->page == REPORT_QUOTAS) && *l && *l != ' ' &&
		                     strncmp(l, "top-2-box", 9) ? VIEW_TITLE : VIEW_PLAIN;
		buf_reset(&b);
		buf_printf(&b, " %s", l);
		set_clean(v, 3 + i, st, &b);
	}
	buf_reset(&b);
	buf_printf(&b, " %s", c->status);
	if (n > rows)
		buf_printf(&b, _("  \xE2\x94\x82 lines %d-%d of %d"), c->scroll + 1, c->scroll + rows < n ? c->scroll + rows : n, n);
	set_clean(v, v->height - 2, c->error ? VIEW_ERROR : VIEW_DIM, &b);
	buf_reset(&b);
	if (c->help)
		buf_printf(&b, _(" F1 ? Esc back  \xE2\x86\x91\xE2\x86\x93 PgUp PgDn scroll  1-%d Tab page  q quit"), REPORT_SECTIONS);
	else if (c->page == REPORT_RESULTS)
		buf_printf(&b, _(" 1-%d Tab page  \xE2\x86\x90\xE2\x86\x92 question  \xE2\x86\x91\xE2\x86\x93 scroll  F1 legend  r refresh  q quit"),
		           REPORT_SECTIONS);
	else if (c->page == REPORT_QUOTAS)
		buf_printf(&b, _(" 1-%d Tab \xE2\x86\x90\xE2\x86\x92 page  \xE2\x86\x91\xE2\x86\x93 scroll  f filter: %s  F1 legend  q quit"),
		           REPORT_SECTIONS, report_quota_filter_name((enum report_quota_filter)c->quota_filter));
	else
		buf_printf(&b, _(" 1-%d Tab \xE2\x86\x90\xE2\x86\x92 page  \xE2\x86\x91\xE2\x86\x93 PgUp PgDn scroll  F1 legend  r refresh  q quit"),
		           REPORT_SECTIONS);
	view_set(v, v->height - 1, VIEW_BAR, buf_str(&b));
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	buf_release(&b);
}
