/* personal.c: which of a form's answers and a case's fields are a respondent's personal data
   (erasure and retention clear them; coded answers stay so that figures still add up). */
#include "form-int.h"

#include <ctype.h>
#include <string.h>

/* Is node a question whose answer is personal data: the respondent's own words (a text
   question), or a question the form marks `personal`? */
int form_personal_question(const struct form *f, int node)
{
	const struct form_node *n;

	if (!f || node < 0 || node >= f->nnodes)
		return 0;
	n = &f->nodes[node];
	return n->kind == FORM_N_QUESTION && (n->qtype == FORM_Q_TEXT || (n->flags & FORM_F_PERSONAL)) && n->id;
}

/* Does the lower-cased name contain word? */
static int has_word(const char *name, const char *word)
{
	char low[128];
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	return strstr(low, word) != NULL;
}

/* Is a case field of this name personal: the name, any phone number, e-mail or address? */
int form_personal_field(const char *name)
{
	static const char *const words[] = { "name", "phone", "mobile", "mail", "address", "street", "birth" };
	size_t i;

	for (i = 0; name && i < sizeof words / sizeof words[0]; i++)
		if (has_word(name, words[i]))
			return 1;
	return 0;
}
