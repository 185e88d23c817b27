/* args.c: taking options out of a subcommand's arguments. */
#include <string.h>

#include "cli.h"

/* Take "--NAME VALUE" out of the arguments; the value or NULL. */
const char *cli_take(int *argc, char **argv, const char *name)
{
	int i, k;

	for (i = 1; i < *argc - 1; i++)
		if (!strcmp(argv[i], name)) {
			const char *v = argv[i + 1];
			for (k = i; k + 2 <= *argc; k++)
				argv[k] = argv[k + 2];
			*argc -= 2;
			return v;
		}
	return NULL;
}

int cli_take_flag(int *argc, char **argv, const char *name)
{
	int i, k;

	for (i = 1; i < *argc; i++)
		if (!strcmp(argv[i], name)) {
			for (k = i; k + 1 <= *argc; k++)
				argv[k] = argv[k + 1];
			*argc -= 1;
			return 1;
		}
	return 0;
}
