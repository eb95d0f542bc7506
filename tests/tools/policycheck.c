/*
 * policycheck.c - core/'s policy loader on the command line, natively, for
 * the schema test (tests/schema/test_schema.py).
 *
 *   policycheck keys         every key path the loader accepts, one a line
 *   policycheck FILE...      load each policy; "FILE: ok" or its error
 *
 * Exit status: 0 when every file loaded, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "yaml_tree.h"

static void
print_key(const char *path, void *arg)
{
	(void)arg;
	printf("%s\n", path);
}

static int
check(const char *path)
{
	static char buf[YTREE_MAX_BYTES + 1];
	struct policy p;
	struct cb_error err;
	char text[1024];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		printf("%s: cannot open\n", path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (policy_parse(path, buf, n, &p, &err) != 0) {
		printf("%s\n", cb_error_format(&err, text, sizeof(text)));
		return 1;
	}
	policy_free(&p);
	printf("%s: ok\n", path);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, failed = 0;

	if (argc == 2 && strcmp(argv[1], "keys") == 0) {
		policy_keys(print_key, NULL);
		return 0;
	}
	for (i = 1; i < argc; i++)
		failed |= check(argv[i]);
	return failed;
}
