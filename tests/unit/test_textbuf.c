/*
 * test_textbuf.c - the growable text certbind's output and files are
 * built in (core/textbuf.c): text is kept whole however it grows, '\n'
 * becomes "\r\n" for stdout and stderr, and a reset gives back what a
 * large report took.
 */
#include "unit.h"

#include "textbuf.h"

struct row {
	const char *name;
	const char *in;
	const char *want;
};

static const struct row crlf_rows[] = {
	{ "no line break", "abc", "abc" },
	{ "one line", "abc\n", "abc\r\n" },
	{ "lines", "a\nb\n\nc", "a\r\nb\r\n\r\nc" },
	{ "only line breaks", "\n\n", "\r\n\r\n" },
	{ "empty", "", "" },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void
test_crlf(void **state)
{
	const struct row *r = *state;
	struct textbuf b = { 0 };

	textbuf_add_crlf(&b, r->in, strlen(r->in));
	assert_false(b.failed);
	assert_int_equal(b.len, strlen(r->want));
	assert_memory_equal(b.s, r->want, b.len);
	assert_int_equal(b.s[b.len], '\0');
	textbuf_free(&b);
}

/* Many small pieces, past every doubling, come out whole and in order. */
static void
test_grows(void **state)
{
	struct textbuf b = { 0 };
	char want[16];
	size_t at = 0;
	int i;

	(void)state;
	for (i = 0; i < 5000; i++)
		textbuf_printf(&b, "%d\n", i);
	assert_false(b.failed);
	for (i = 0; i < 5000; i++) {
		int n = snprintf(want, sizeof(want), "%d\n", i);

		assert_true(at + (size_t)n <= b.len);
		assert_memory_equal(b.s + at, want, (size_t)n);
		at += (size_t)n;
	}
	assert_int_equal(at, b.len);
	assert_int_equal(strlen(b.s), b.len);
	textbuf_free(&b);
}

/* A counted piece keeps its NUL: nothing is cut at it. */
static void
test_counted(void **state)
{
	struct textbuf b = { 0 };

	(void)state;
	textbuf_add(&b, "a\0b", 3);
	textbuf_add_crlf(&b, "\0\n", 2);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.s, "a\0b\0\r\n", 6);
	textbuf_free(&b);
}

/* A reset empties it; what is larger than keep is given back. */
static void
test_reset(void **state)
{
	struct textbuf b = { 0 };
	char big[5000];

	(void)state;
	memset(big, 'x', sizeof(big));
	textbuf_add(&b, big, sizeof(big));
	assert_true(b.cap > sizeof(big));
	textbuf_reset(&b, 4096);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_null(b.s);
	textbuf_add(&b, "small", 5);
	textbuf_reset(&b, 4096);
	assert_int_equal(b.len, 0);
	assert_non_null(b.s);
	assert_string_equal(b.s, "");
	textbuf_printf(&b, "%s=%u", "n", 7u);
	assert_string_equal(b.s, "n=7");
	textbuf_free(&b);
}

/* A size that cannot be added fails once and stays failed. */
static void
test_too_large(void **state)
{
	struct textbuf b = { 0 };

	(void)state;
	textbuf_add(&b, "ok", 2);
	textbuf_add(&b, "", (size_t)-1 / 2);
	assert_true(b.failed);
	assert_int_equal(b.len, 2);
	textbuf_add(&b, "more", 4);
	assert_int_equal(b.len, 2);
	textbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_too_large),
	};
	int rc;

	rc = run_rows("textbuf crlf", test_crlf, (void *)crlf_rows,
	    sizeof(crlf_rows[0]), NROWS(crlf_rows), row_name);
	return (cmocka_run_group_tests_name("textbuf", tests, NULL, NULL) ||
	    rc) ? 1 : 0;
}
