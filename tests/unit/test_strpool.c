/*
 * test_strpool.c - the shared copies of record texts (core/strpool.c):
 * equal bytes give one pointer, counted input is read to its count and
 * no further, and pointers stay put as the pool grows.
 */
#include "unit.h"

#include "strpool.h"

static void
test_same_text_same_copy(void **state)
{
	char a[] = "WebHosting", b[] = "WebHosting";
	const char *x, *y;

	(void)state;
	x = strpool_get(a, strlen(a));
	y = strpool_get(b, strlen(b));
	assert_non_null(x);
	assert_ptr_equal(x, y);
	assert_ptr_not_equal(x, a);
	assert_string_equal(x, "WebHosting");
	/* A copy: changing the caller's bytes changes nothing pooled. */
	a[0] = 'w';
	assert_string_equal(x, "WebHosting");
	assert_ptr_not_equal(strpool_get(a, strlen(a)), x);
}

static void
test_counted(void **state)
{
	const char *x, *y;

	(void)state;
	x = strpool_get("MYSTORE", 2);
	y = strpool_get("MY", 2);
	assert_ptr_equal(x, y);
	assert_string_equal(x, "MY");
	assert_ptr_not_equal(strpool_get("MYSTORE", 7), x);
	assert_string_equal(strpool_get("", 0), "");
	/* A prefix of a pooled text is a text of its own. */
	assert_string_equal(strpool_get("MYS", 3), "MYS");
}

static void
test_grows(void **state)
{
	const char *first[3000];
	char text[32];
	int i, n;

	(void)state;
	for (i = 0; i < 3000; i++) {
		n = snprintf(text, sizeof(text), "store-%d", i);
		first[i] = strpool_get(text, (size_t)n);
		assert_non_null(first[i]);
	}
	for (i = 0; i < 3000; i++) {
		n = snprintf(text, sizeof(text), "store-%d", i);
		assert_ptr_equal(strpool_get(text, (size_t)n), first[i]);
		assert_string_equal(first[i], text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_text_same_copy),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_grows),
	};

	return cmocka_run_group_tests_name("strpool", tests, NULL, NULL);
}
