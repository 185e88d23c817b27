/* sharedir.c: where `cati demo` finds its forms: the installed share directory, else ./forms. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

/* make sets CATI_SHAREDIR to $(PREFIX)/share/cati; this object is built once per value */
#ifndef CATI_SHAREDIR
#define CATI_SHAREDIR "/usr/local/share/cati"
#endif

/* The path of the demo's file name: CATI_SHAREDIR/forms/name when readable, else forms/name. */
const char *cli_demo_file(const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/forms/%s", CATI_SHAREDIR, name);

	if (n > 0 && (size_t)n < size && access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, size, "forms/%s", name);
	return buf;
}
