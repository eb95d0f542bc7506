/*
 * test_error.c - the error record (core/error.c): messages are escaped,
 * and a message too long for the record is cut between characters with
 * a visible "...", never inside an \xHH escape or a UTF-8 sequence.
 */
#include "unit.h"

#include "error.h"
#include "text.h"

/* n copies of c, then tail. */
static char *
padded(size_t n, const char *tail)
{
	char *s = malloc(n + strlen(tail) + 1);

	assert_non_null(s);
	memset(s, 'a', n);
	strcpy(s + n, tail);
	return s;
}

/* Message room, NUL excluded. */
#define ROOM (sizeof(((struct cb_error *)0)->msg) - 1)

static void
test_short_escaped(void **state)
{
	struct cb_error err;

	(void)state;
	assert_int_equal(cb_error_set(&err, "p\x1b.yaml", 3, 7,
	    "value '%s' is bad", "x\x1b[2J\ny"), -1);
	assert_string_equal(err.file, "p\\x1b.yaml");
	assert_string_equal(err.msg, "value 'x\\x1b[2J\\x0ay' is bad");
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 7);
}

/* The escape of the ESC would straddle the end: it is left out whole. */
static void
test_cut_before_escape(void **state)
{
	struct cb_error err;
	char *in = padded(ROOM - 3, "\x1b" "bbb");
	char *want = padded(ROOM - 3, "...");

	(void)state;
	cb_error_set(&err, NULL, 0, 0, "%s", in);
	assert_true(strlen(err.msg) <= ROOM);
	assert_string_equal(err.msg, want);
	free(in);
	free(want);
}

/* A message longer than the record, ending in UTF-8: no half character. */
static void
test_cut_utf8(void **state)
{
	struct cb_error err;
	char *in = padded(ROOM - 4, "\xe2\x82\xac\xe2\x82\xac");
	size_t n;

	(void)state;
	cb_error_set(&err, NULL, 0, 0, "%s", in);
	n = strlen(err.msg);
	assert_true(n <= ROOM);
	assert_true(n >= 3);
	assert_string_equal(err.msg + n - 3, "...");
	/* Valid UTF-8 to the end, nothing escaped: no byte of a cut '€'. */
	assert_false(text_needs_escape(err.msg, 0));
	assert_null(strstr(err.msg, "\\x"));
	free(in);
}

/* A message that fits exactly is not cut. */
static void
test_exact_fit(void **state)
{
	struct cb_error err;
	char *in = padded(ROOM - 4, "\x01");

	(void)state;
	cb_error_set(&err, NULL, 0, 0, "%s", in);
	assert_int_equal(strlen(err.msg), ROOM);
	assert_string_equal(err.msg + ROOM - 4, "\\x01");
	free(in);
}

static void
test_escape_into(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(text_escape_into("ab\x1b" "c", 0, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "ab\\x1bc");
	assert_int_equal(text_escape_into("ab\x1b" "cd", 0, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "ab...");
	assert_int_equal(text_escape_into("abcd\xe2\x82\xac", 0, buf,
	    sizeof(buf)), 7);
	assert_string_equal(buf, "abcd\xe2\x82\xac");
	assert_int_equal(text_escape_into("abcde\xe2\x82\xac", 0, buf,
	    sizeof(buf)), 7);
	assert_string_equal(buf, "abcd...");
	/* Too small even for the mark: what fits of it, and the NUL. */
	assert_int_equal(text_escape_into("abcdef", 0, buf, 3), 2);
	assert_string_equal(buf, "..");
	assert_int_equal(text_escape_into("abcdef", 0, buf, 1), 0);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_escaped),
		cmocka_unit_test(test_cut_before_escape),
		cmocka_unit_test(test_cut_utf8),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_escape_into),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
