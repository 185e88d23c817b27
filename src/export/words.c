/*
 * words.c: every fixed word the exports write (value labels of don't know and refused, chosen
 * and not chosen, the interview's own variables, the codebook's headings) in English, German
 * and Dutch. One table, so that it can move to gettext's catalogues (issue 22) in one piece.
 */
#include "export-int.h"

#include <string.h>

static const struct {
	const char *lang;
	const char *w[EXP_W_COUNT];
} table[] = {
	{ "en", {
		[EXP_W_DK] = "don't know",
		[EXP_W_RF] = "refused",
		[EXP_W_CHOSEN] = "chosen",
		[EXP_W_NOT_CHOSEN] = "not chosen",
		[EXP_W_NOT_ASKED] = "not asked",
		[EXP_W_ANSWERED] = "answered",
		[EXP_W_STATUS_OF] = "answer status",
		[EXP_W_MISSING] = "missing",
		[EXP_W_INTERVIEW] = "interview id",
		[EXP_W_CASE] = "case id",
		[EXP_W_INTERVIEWER] = "interviewer",
		[EXP_W_LANG] = "language of the interview",
		[EXP_W_STATUS] = "status (complete, screenout, suspended, active)",
		[EXP_W_OUTCOME] = "outcome (complete or the screen-out's name)",
		[EXP_W_STARTED] = "started (UTC)",
		[EXP_W_ENDED] = "ended (UTC)",
		[EXP_W_DURATION] = "duration in seconds",
		[EXP_W_VERSION] = "form version the interview ran on",
		[EXP_W_CODEBOOK] = "Codebook",
		[EXP_W_INTERVIEWS] = "interviews",
		[EXP_W_VARIABLES] = "variables",
		[EXP_W_TEXT] = "text",
		[EXP_W_BYTES] = "bytes",
		[EXP_W_DATE] = "date",
		[EXP_W_NUMBER] = "number",
		[EXP_W_DECIMALS] = "decimals",
		[EXP_W_WITH_VALUE] = "with a value",
		[EXP_W_EMPTY] = "empty",
		[EXP_W_ASKED_IF] = "asked if",
		[EXP_W_NOMINAL] = "nominal",
		[EXP_W_ORDINAL] = "ordinal",
		[EXP_W_SCALE] = "scale",
		[EXP_W_LEGEND] = "Don't know is -8 and refused -9 in numeric variables and dates (declared"
		                 " missing); \"dk\" and \"rf\" in text variables (declared missing in SPSS,"
		                 " empty in Stata and Triple-S); a text or date that allows them has an"
		                 " answer status variable NAME_st (1 answered, 8 don't know, 9 refused).\n"
		                 "An empty value: not asked on the interview's route or its form version.",
	} },
	{ "de", {
		[EXP_W_DK] = "weiß nicht",
		[EXP_W_RF] = "verweigert",
		[EXP_W_CHOSEN] = "gewählt",
		[EXP_W_NOT_CHOSEN] = "nicht gewählt",
		[EXP_W_NOT_ASKED] = "nicht gefragt",
		[EXP_W_ANSWERED] = "beantwortet",
		[EXP_W_STATUS_OF] = "Antwortstatus",
		[EXP_W_MISSING] = "fehlend",
		[EXP_W_INTERVIEW] = "Interview-ID",
		[EXP_W_CASE] = "Fall-ID",
		[EXP_W_INTERVIEWER] = "Interviewer/in",
		[EXP_W_LANG] = "Sprache des Interviews",
		[EXP_W_STATUS] = "Status (complete, screenout, suspended, active)",
		[EXP_W_OUTCOME] = "Ergebnis (complete oder Name des Screen-outs)",
		[EXP_W_STARTED] = "Beginn (UTC)",
		[EXP_W_ENDED] = "Ende (UTC)",
		[EXP_W_DURATION] = "Dauer in Sekunden",
		[EXP_W_VERSION] = "Version des Fragebogens im Interview",
		[EXP_W_CODEBOOK] = "Codebuch",
		[EXP_W_INTERVIEWS] = "Interviews",
		[EXP_W_VARIABLES] = "Variablen",
		[EXP_W_TEXT] = "Text",
		[EXP_W_BYTES] = "Bytes",
		[EXP_W_DATE] = "Datum",
		[EXP_W_NUMBER] = "Zahl",
		[EXP_W_DECIMALS] = "Dezimalstellen",
		[EXP_W_WITH_VALUE] = "mit Wert",
		[EXP_W_EMPTY] = "leer",
		[EXP_W_ASKED_IF] = "gefragt wenn",
		[EXP_W_NOMINAL] = "nominal",
		[EXP_W_ORDINAL] = "ordinal",
		[EXP_W_SCALE] = "metrisch",
		[EXP_W_LEGEND] = "Weiß nicht ist -8 und verweigert -9 in Zahlen und Daten (als fehlend"
		                 " deklariert); \"dk\" und \"rf\" in Textvariablen (in SPSS als fehlend"
		                 " deklariert, leer in Stata und Triple-S); ein Text oder Datum, das sie"
		                 " erlaubt, hat eine Antwortstatus-Variable NAME_st (1 beantwortet, 8 weiß"
		                 " nicht, 9 verweigert).\n"
		                 "Ein leerer Wert: im Ablauf des Interviews oder seiner Fragebogenversion nicht gefragt.",
	} },
	{ "nl", {
		[EXP_W_DK] = "weet niet",
		[EXP_W_RF] = "geweigerd",
		[EXP_W_CHOSEN] = "gekozen",
		[EXP_W_NOT_CHOSEN] = "niet gekozen",
		[EXP_W_NOT_ASKED] = "niet gevraagd",
		[EXP_W_ANSWERED] = "beantwoord",
		[EXP_W_STATUS_OF] = "antwoordstatus",
		[EXP_W_MISSING] = "ontbrekend",
		[EXP_W_INTERVIEW] = "interview-id",
		[EXP_W_CASE] = "case-id",
		[EXP_W_INTERVIEWER] = "interviewer",
		[EXP_W_LANG] = "taal van het interview",
		[EXP_W_STATUS] = "status (complete, screenout, suspended, active)",
		[EXP_W_OUTCOME] = "uitkomst (complete of de naam van de screen-out)",
		[EXP_W_STARTED] = "begonnen (UTC)",
		[EXP_W_ENDED] = "beëindigd (UTC)",
		[EXP_W_DURATION] = "duur in seconden",
		[EXP_W_VERSION] = "versie van de vragenlijst van het interview",
		[EXP_W_CODEBOOK] = "Codeboek",
		[EXP_W_INTERVIEWS] = "interviews",
		[EXP_W_VARIABLES] = "variabelen",
		[EXP_W_TEXT] = "tekst",
		[EXP_W_BYTES] = "bytes",
		[EXP_W_DATE] = "datum",
		[EXP_W_NUMBER] = "getal",
		[EXP_W_DECIMALS] = "decimalen",
		[EXP_W_WITH_VALUE] = "met een waarde",
		[EXP_W_EMPTY] = "leeg",
		[EXP_W_ASKED_IF] = "gevraagd als",
		[EXP_W_NOMINAL] = "nominaal",
		[EXP_W_ORDINAL] = "ordinaal",
		[EXP_W_SCALE] = "schaal",
		[EXP_W_LEGEND] = "Weet niet is -8 en geweigerd -9 in getallen en datums (als ontbrekend"
		                 " gedeclareerd); \"dk\" en \"rf\" in tekstvariabelen (in SPSS als"
		                 " ontbrekend gedeclareerd, leeg in Stata en Triple-S); een tekst of datum"
		                 " die ze toestaat heeft een antwoordstatusvariabele NAME_st (1 beantwoord,"
		                 " 8 weet niet, 9 geweigerd).\n"
		                 "Een lege waarde: niet gevraagd in de route van het interview of zijn versie van de vragenlijst.",
	} },
};

/* The table row of a language code, by its first two letters; English when none matches. */
int exp_words_of(const char *lang)
{
	size_t i;

	for (i = 0; lang && i < sizeof table / sizeof table[0]; i++)
		if (!strncmp(table[i].lang, lang, 2) && (!lang[2] || lang[2] == '-' || lang[2] == '_'))
			return (int)i;
	return 0;
}

/* The word w in the schema's language ("" for a word the table lacks). */
const char *exp_word(const struct exp_schema *s, enum exp_word w)
{
	int t = s && s->words >= 0 && (size_t)s->words < sizeof table / sizeof table[0] ? s->words : 0;

	return w >= 0 && w < EXP_W_COUNT && table[t].w[w] ? table[t].w[w] : "";
}
