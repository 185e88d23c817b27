/* choose.c: the rules of choosing on a screen: toggling a multiple choice, a grid in form order. */
#include "cati/engine.h"

#include <string.h>

/* Whether the choice with code on screen sc may not be combined with others. */
static int exclusive(const struct eng_screen *sc, int code)
{
	int i;

	for (i = 0; i < sc->nchoices; i++)
		if (sc->choices[i].code == code)
			return (sc->choices[i].flags & FORM_C_EXCLUSIVE) != 0;
	return 0;
}

int eng_toggle(const struct eng_screen *sc, int *sel, int n, int cap, int code)
{
	int i, k;

	for (i = 0; i < n; i++)
		if (sel[i] == code) {
			memmove(sel + i, sel + i + 1, sizeof *sel * (size_t)(n - i - 1));
			return n - 1;
		}
	if (exclusive(sc, code)) {
		n = 0;
	} else {
		for (i = k = 0; i < n; i++)
			if (!exclusive(sc, sel[i]))
				sel[k++] = sel[i];
		n = k;
	}
	if (n < cap)
		sel[n++] = code;
	return n;
}

int eng_grid_codes(const struct eng_screen *sc, const int *cells, int *codes)
{
	int i, missing = -1;

	for (i = 0; i < sc->nitems; i++) {
		if (!cells[i] && missing < 0)
			missing = i;
		if (sc->items[i].index >= 0 && sc->items[i].index < sc->nitems)
			codes[sc->items[i].index] = cells[i];
	}
	return missing;
}
