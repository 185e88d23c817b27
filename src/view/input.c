/* input.c: what a key does on the interview screen, as data: the input state and an engine command. */
#include "cati/i18n.h"
#include "cati/keys.h"
#include "cati/view.h"

#include <stdio.h>
#include <string.h>

void view_input_reset(struct view_input *in, const struct eng_screen *sc)
{
	int i;

	memset(in, 0, sizeof *in);
	in->chosen = -1;
	if (sc->kind != ENG_SCREEN_QUESTION)
		return;
	for (i = 0; i < sc->nchoices; i++) {
		if (sc->choices[i].selected) {
			if (!in->nsel)
				in->highlight = i;
			if (in->nsel < (int)(sizeof in->sel / sizeof in->sel[0]))
				in->sel[in->nsel++] = sc->choices[i].code;
		}
	}
	for (i = 0; i < sc->nitems && i < (int)(sizeof in->cells / sizeof in->cells[0]); i++)
		in->cells[i] = sc->items[i].code;
	in->ncells = i;
	if (sc->answered && sc->state == FORM_S_OK &&
	    (sc->qtype == FORM_Q_TEXT || sc->qtype == FORM_Q_INTEGER || sc->qtype == FORM_Q_DECIMAL ||
	     sc->qtype == FORM_Q_DATE)) {
		/* the stored answer (ISO, a point) as the interviewer types it */
		if (sc->qtype == FORM_Q_DATE)
			i18n_date(in->line, sizeof in->line, sc->value);
		else if (sc->qtype == FORM_Q_DECIMAL)
			i18n_number(in->line, sizeof in->line, sc->value);
		else
			snprintf(in->line, sizeof in->line, "%s", sc->value);
		in->cursor = (int)strlen(in->line);
	}
}

/* A Dutch D-M-YYYY date as D.M.YYYY, which the forms' date input reads. */
char *view_local_date(const char *typed, char *out, size_t n)
{
	size_t a = strspn(typed, "0123456789"), b, c;

	snprintf(out, n, "%s", typed);
	if (!strcmp(i18n_lang(), "en") || a < 1 || a > 2 || typed[a] != '-')
		return out;
	b = strspn(typed + a + 1, "0123456789");
	if (b < 1 || b > 2 || typed[a + 1 + b] != '-')
		return out;
	c = strspn(typed + a + 2 + b, "0123456789");
	/* D-M-YYYY (Dutch): as D.M.YYYY, which the forms' date input reads */
	if (c == 4 && !typed[a + 2 + b + c] && a + 2 + b + c < n) {
		out[a] = '.';
		out[a + 1 + b] = '.';
	}
	return out;
}

/* Encode code point cp as UTF-8 into out; returns its length (0 for what is no character). */
static int utf8_put(unsigned cp, char *out)
{
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int view_edit(char *line, size_t cap, int *cursor, int k)
{
	size_t len = strlen(line);
	int c = *cursor;

	/* a cursor from elsewhere never points outside the line or into a character */
	if (c < 0)
		c = 0;
	if (c > (int)len)
		c = (int)len;
	while (c > 0 && ((unsigned char)line[c] & 0xC0) == 0x80)
		c--;
	*cursor = c;
	if (k > 0) {
		char enc[4];
		int n = utf8_put((unsigned)k, enc);
		if (!n || len + (size_t)n + 1 > cap)
			return 1;
		memmove(line + c + n, line + c, len - (size_t)c + 1);
		memcpy(line + c, enc, (size_t)n);
		*cursor = c + n;
		return 1;
	}
	switch (k) {
	case TK_LEFT:
		while (c > 0 && ((unsigned char)line[--c] & 0xC0) == 0x80)
			;
		*cursor = c;
		return 1;
	case TK_RIGHT:
		if (c < (int)len)
			for (c++; c < (int)len && ((unsigned char)line[c] & 0xC0) == 0x80; c++)
				;
		*cursor = c;
		return 1;
	case TK_HOME:
		*cursor = 0;
		return 1;
	case TK_END:
		*cursor = (int)len;
		return 1;
	case TK_BS: {
		int start = c;
		if (!c)
			return 1;
		while (start > 0 && ((unsigned char)line[--start] & 0xC0) == 0x80)
			;
		memmove(line + start, line + c, len - (size_t)c + 1);
		*cursor = start;
		return 1;
	}
	case TK_DEL: {
		int end = c;
		if (c >= (int)len)
			return 1;
		for (end++; end < (int)len && ((unsigned char)line[end] & 0xC0) == 0x80; end++)
			;
		memmove(line + c, line + end, len - (size_t)end + 1);
		return 1;
	}
	default:
		return 0;
	}
}

/*
 * A code typed digit by digit: the index of the choice whose code it is (-1: none yet, -2:
 * no code starts so); *longer says a longer code starts with it too.
 */
static int typed_code(const struct eng_screen *sc, const char *digits, int *longer)
{
	int i, exact = -1;
	char code[16];

	*longer = 0;
	for (i = 0; i < sc->nchoices; i++) {
		snprintf(code, sizeof code, "%d", sc->choices[i].code);
		if (!strncmp(code, digits, strlen(digits))) {
			if (!strcmp(code, digits))
				exact = i;
			else
				*longer = 1;
		}
	}
	if (exact < 0 && !*longer)
		return -2;
	return exact;
}

/* Say why a key did nothing. */
static void tell(struct view_cmd *cmd, const char *fmt, const char *arg)
{
	snprintf(cmd->message, sizeof cmd->message, fmt, arg);
}

/* Answer the single choice at index i. */
static void take_choice(const struct eng_screen *sc, int i, struct view_cmd *cmd)
{
	cmd->kind = VIEW_CMD_ANSWER;
	cmd->answer.state = FORM_S_OK;
	cmd->answer.num = sc->choices[i].code;
}

/* Toggle the multiple choice at index i. */
static void toggle(const struct eng_screen *sc, struct view_input *in, int i)
{
	in->nsel = eng_toggle(sc, in->sel, in->nsel, (int)(sizeof in->sel / sizeof in->sel[0]),
	                      sc->choices[i].code);
	in->touched = 1;
}

/* A digit on a choice question: a code typed whole answers (single) or toggles (multi). */
static void choice_digit(const struct eng_screen *sc, struct view_input *in, int k,
                         struct view_cmd *cmd)
{
	size_t n = strlen(in->digits);
	int i, longer;

	if (n < sizeof in->digits - 1) {
		in->digits[n] = (char)k;
		in->digits[n + 1] = '\0';
	}
	i = typed_code(sc, in->digits, &longer);
	if (i == -2) {
		tell(cmd, _("No choice has code %s."), in->digits);
		in->digits[0] = '\0';
		return;
	}
	if (i < 0)
		return;   /* the start of a longer code */
	in->highlight = i;
	if (longer) {
		if (sc->qtype != FORM_Q_MULTI)
			in->chosen = i;
		tell(cmd, _("Code %s: press Enter, or type the next digit."), in->digits);
		return;
	}
	in->digits[0] = '\0';
	if (sc->qtype == FORM_Q_MULTI) {
		toggle(sc, in, i);
	} else if (sc->flags & FORM_F_CONFIRM) {
		in->chosen = i;
	} else {
		take_choice(sc, i, cmd);
	}
}

/* Enter on a choice question. */
static void choice_enter(const struct eng_screen *sc, struct view_input *in, struct view_cmd *cmd)
{
	int i, longer;

	if (in->digits[0]) {
		i = typed_code(sc, in->digits, &longer);
		in->digits[0] = '\0';
		if (i >= 0) {
			in->highlight = i;
			if (sc->qtype == FORM_Q_MULTI) {
				toggle(sc, in, i);
				return;
			}
			in->chosen = i;
		}
	}
	if (sc->qtype == FORM_Q_MULTI) {
		if (!in->touched && sc->answered) {
			cmd->kind = VIEW_CMD_NEXT;
		} else if (!in->nsel) {
			tell(cmd, "%s", _("Choose an answer first: type its code, or Space on the highlighted one."));
		} else {
			memcpy(cmd->codes, in->sel, sizeof(int) * (size_t)in->nsel);
			cmd->kind = VIEW_CMD_ANSWER;
			cmd->answer.state = FORM_S_OK;
			cmd->answer.ncodes = in->nsel;
			cmd->answer.codes = cmd->codes;
		}
		return;
	}
	if (in->chosen >= 0 && in->chosen < sc->nchoices)
		take_choice(sc, in->chosen, cmd);
	else if (sc->answered)
		cmd->kind = VIEW_CMD_NEXT;   /* Enter on a shown answer keeps it */
	else
		tell(cmd, "%s", _("Choose an answer first: type its code, or move to it with \xE2\x86\x91\xE2\x86\x93."));
}

/* Keys of single, yes/no and multiple choice questions. */
static void choice_key(const struct eng_screen *sc, struct view_input *in, int k, struct view_cmd *cmd)
{
	if (!sc->nchoices)
		return;
	if (in->highlight < 0 || in->highlight >= sc->nchoices)
		in->highlight = 0;
	if (k == TK_UP || k == TK_DOWN) {
		in->digits[0] = '\0';
		if (k == TK_UP && in->highlight > 0)
			in->highlight--;
		else if (k == TK_DOWN && in->highlight < sc->nchoices - 1)
			in->highlight++;
		if (sc->qtype != FORM_Q_MULTI)
			in->chosen = in->highlight;
	} else if (k >= '0' && k <= '9') {
		choice_digit(sc, in, k, cmd);
	} else if (k == ' ' && sc->qtype == FORM_Q_MULTI) {
		in->digits[0] = '\0';
		toggle(sc, in, in->highlight);
	} else if (k == TK_ENTER) {
		choice_enter(sc, in, cmd);
	} else if (k == TK_BS && in->digits[0]) {
		in->digits[strlen(in->digits) - 1] = '\0';
	}
}

/* The cell of the highlighted grid item, moved k (-1 left, +1 right) along the scale. */
static void grid_step(const struct eng_screen *sc, struct view_input *in, int step)
{
	int i, cur = -1;

	for (i = 0; i < sc->nchoices; i++)
		if (sc->choices[i].code == in->cells[in->highlight])
			cur = i;
	if (cur < 0)
		cur = step < 0 ? sc->nchoices - 1 : 0;   /* an empty or dk/rf cell starts at an end */
	else
		cur += step;
	if (cur < 0)
		cur = 0;
	if (cur >= sc->nchoices)
		cur = sc->nchoices - 1;
	in->cells[in->highlight] = sc->choices[cur].code;
	in->touched = 1;
}

/* Keys of a grid. */
static void grid_key(const struct eng_screen *sc, struct view_input *in, int k, struct view_cmd *cmd)
{
	int i, longer, codes[256];

	if (!sc->nitems || !sc->nchoices || sc->nitems > 256)
		return;
	if (in->highlight < 0 || in->highlight >= sc->nitems)
		in->highlight = 0;
	if (k == TK_UP && in->highlight > 0) {
		in->highlight--;
	} else if (k == TK_DOWN && in->highlight < sc->nitems - 1) {
		in->highlight++;
	} else if (k == TK_LEFT || k == TK_RIGHT) {
		grid_step(sc, in, k == TK_LEFT ? -1 : 1);
	} else if (k >= '0' && k <= '9') {
		char d[2] = { (char)k, 0 };
		i = typed_code(sc, d, &longer);
		if (i < 0) {
			tell(cmd, _("%s is not on the scale."), d);
			return;
		}
		in->cells[in->highlight] = sc->choices[i].code;
		in->touched = 1;
		if (in->highlight < sc->nitems - 1)
			in->highlight++;
	} else if (k == TK_ENTER) {
		if (!in->touched && sc->answered) {
			cmd->kind = VIEW_CMD_NEXT;
			return;
		}
		i = eng_grid_codes(sc, in->cells, codes);
		if (i >= 0) {
			in->highlight = i;
			tell(cmd, _("'%s' has no answer yet."), sc->items[i].label);
			return;
		}
		memcpy(cmd->codes, codes, sizeof(int) * (size_t)sc->nitems);
		cmd->kind = VIEW_CMD_ANSWER;
		cmd->answer.state = FORM_S_OK;
		cmd->answer.ncodes = sc->nitems;
		cmd->answer.codes = cmd->codes;
	}
}

/* Keys of text, number and date questions: a line editor. */
static void line_key(const struct eng_screen *sc, struct view_input *in, int k, struct view_cmd *cmd)
{
	if (k == TK_ENTER) {
		if (!in->line[0] && sc->answered && !in->touched) {
			cmd->kind = VIEW_CMD_NEXT;
		} else if (!in->line[0]) {
			tell(cmd, "%s", _("Type an answer first."));
		} else {
			cmd->kind = VIEW_CMD_TYPED;
			cmd->text = sc->qtype == FORM_Q_DATE ? view_local_date(in->line, cmd->typed, sizeof cmd->typed)
			                                     : in->line;
		}
	} else if (k == TK_UP || k == TK_DOWN) {
		in->scroll += k == TK_DOWN ? 1 : -1;
		if (in->scroll < 0)
			in->scroll = 0;
	} else if (view_edit(in->line, sizeof in->line, &in->cursor, k)) {
		if (k > 0 || k == TK_BS || k == TK_DEL)
			in->touched = 1;
	}
}

void view_input_key(const struct eng_screen *sc, struct view_input *in, int k,
                    struct view_cmd *cmd)
{
	memset(cmd, 0, sizeof *cmd);
	/* a code is typed digit after digit: any other key (but Enter, which takes it) ends it */
	if (!(k >= '0' && k <= '9') && k != TK_BS && k != TK_ENTER)
		in->digits[0] = '\0';
	switch (k) {
	case TK_PGUP:
	case TK_CTRL_B: cmd->kind = VIEW_CMD_BACK; return;
	case TK_CTRL_E: cmd->kind = VIEW_CMD_RESUME; return;
	case TK_CTRL_G: cmd->kind = VIEW_CMD_OPEN_JUMP; return;
	case TK_CTRL_T: cmd->kind = VIEW_CMD_LANG; return;
	case TK_CTRL_N: cmd->kind = VIEW_CMD_OPEN_NOTE; return;
	case TK_CTRL_X: cmd->kind = VIEW_CMD_OPEN_BREAK; return;
	default: break;
	}
	if (sc->kind == ENG_SCREEN_END) {
		if (k == TK_ENTER)
			cmd->kind = VIEW_CMD_FINISH;
		return;
	}
	if (sc->kind == ENG_SCREEN_CHECK) {
		if (k == TK_ENTER && !sc->hard) {
			cmd->kind = VIEW_CMD_CONFIRM;
		} else if (k >= '1' && k <= '9' && k - '1' < sc->nrevisit) {
			cmd->kind = VIEW_CMD_JUMP;
			cmd->qid = sc->revisit[k - '1'].qid;
			cmd->iter = sc->revisit[k - '1'].iter;
		} else if (k == TK_ENTER) {
			tell(cmd, "%s", _("A hard check must be corrected: press the number of a question."));
		}
		return;
	}
	if (k == TK_CTRL_D || k == TK_CTRL_R) {
		enum form_vstate st = k == TK_CTRL_D ? FORM_S_DK : FORM_S_RF;
		unsigned flag = st == FORM_S_DK ? FORM_F_DK : FORM_F_RF;
		if (!(sc->allow & flag)) {
			tell(cmd, _("%s is not allowed for this question."), st == FORM_S_DK ? _("Don't know") : _("Refused"));
			return;
		}
		if (sc->qtype == FORM_Q_GRID && sc->nitems) {
			if (in->highlight < 0 || in->highlight >= sc->nitems)
				in->highlight = 0;
			in->cells[in->highlight] = st == FORM_S_DK ? ENG_CODE_DK : ENG_CODE_RF;
			in->touched = 1;
			if (in->highlight < sc->nitems - 1)
				in->highlight++;
			return;
		}
		cmd->kind = VIEW_CMD_ANSWER;
		cmd->answer.state = st;
		return;
	}
	if (k == TK_PGDN || k == TK_CTRL_F) {
		cmd->kind = VIEW_CMD_NEXT;
		return;
	}
	switch (sc->qtype) {
	case FORM_Q_INFO:
		if (k == TK_ENTER)
			cmd->kind = VIEW_CMD_NEXT;
		return;
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
	case FORM_Q_MULTI:
		choice_key(sc, in, k, cmd);
		return;
	case FORM_Q_GRID:
		grid_key(sc, in, k, cmd);
		return;
	default:
		line_key(sc, in, k, cmd);
		return;
	}
}
