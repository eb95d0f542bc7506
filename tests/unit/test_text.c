/*
 * test_text.c - escaping untrusted text for printing (core/text.c).
 */
#include "unit.h"

#include "text.h"

struct row {
	const char *name;
	const char *in;
	size_t len;           /* bytes of in; 0: strlen */
	unsigned flags;
	const char *want;
};

static const struct row rows[] = {
	{ "plain ASCII", "api.example.test", 0, TEXT_BACKSLASH, "api.example.test" },
	{ "embedded NUL", "good.example.test\0.evil.test", 28, TEXT_BACKSLASH,
	  "good.example.test\\x00.evil.test" },
	{ "trailing NUL", "a\0", 2, TEXT_BACKSLASH, "a\\x00" },
	{ "escape and newline", "a\x1b[2Jb\nc", 0, TEXT_BACKSLASH,
	  "a\\x1b[2Jb\\x0ac" },
	{ "tab and DEL", "a\tb\x7f", 0, TEXT_BACKSLASH, "a\\x09b\\x7f" },
	{ "C1 control", "a\xc2\x85" "b", 0, TEXT_BACKSLASH, "a\\xc2\\x85b" },
	{ "UTF-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 0, TEXT_BACKSLASH,
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92" },
	{ "invalid UTF-8", "a\xff\xc3" "b", 0, TEXT_BACKSLASH, "a\\xff\\xc3b" },
	{ "overlong NUL", "a\xc0\x80" "b", 0, TEXT_BACKSLASH, "a\\xc0\\x80b" },
	{ "surrogate", "\xed\xa0\x80", 0, TEXT_BACKSLASH, "\\xed\\xa0\\x80" },
	{ "truncated sequence", "\xe2\x82", 0, TEXT_BACKSLASH, "\\xe2\\x82" },
	{ "backslash escaped", "C:\\x00", 0, TEXT_BACKSLASH, "C:\\\\x00" },
	{ "backslash kept", "C:\\dir\\f\x01", 0, 0, "C:\\dir\\f\\x01" },
	{ "newline kept", "a\n  b\rc\x1b", 0, TEXT_KEEP_NEWLINE,
	  "a\n  b\\x0dc\\x1b" },
	{ "empty", "", 0, TEXT_BACKSLASH, "" },
	{ "right-to-left override", "good\xe2\x80\xaetset.lave", 0,
	  TEXT_BACKSLASH, "good\\xe2\\x80\\xaetset.lave" },
	{ "left-to-right embedding", "a\xe2\x80\xaa" "b", 0, 0,
	  "a\\xe2\\x80\\xaab" },
	{ "pop directional formatting", "a\xe2\x80\xac", 0, 0,
	  "a\\xe2\\x80\\xac" },
	{ "isolates", "\xe2\x81\xa6x\xe2\x81\xa9", 0, 0,
	  "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9" },
	{ "line separator", "a\xe2\x80\xa8" "b", 0, TEXT_KEEP_NEWLINE,
	  "a\\xe2\\x80\\xa8" "b" },
	{ "paragraph separator", "a\xe2\x80\xa9", 0, 0, "a\\xe2\\x80\\xa9" },
	{ "zero-width space", "ex\xe2\x80\x8b" "ample", 0, 0,
	  "ex\\xe2\\x80\\x8b" "ample" },
	{ "zero-width joiner", "a\xe2\x80\x8d" "b", 0, 0,
	  "a\\xe2\\x80\\x8d" "b" },
	{ "right-to-left mark", "a\xe2\x80\x8f", 0, 0, "a\\xe2\\x80\\x8f" },
	{ "byte order mark", "\xef\xbb\xbf" "a", 0, 0, "\\xef\\xbb\\xbf" "a" },
	{ "soft hyphen", "a\xc2\xad" "b", 0, 0, "a\\xc2\\xad" "b" },
	{ "word joiner", "a\xe2\x81\xa0", 0, 0, "a\\xe2\\x81\\xa0" },
	{ "Arabic letter mark", "a\xd8\x9c", 0, 0, "a\\xd8\\x9c" },
	{ "tag character", "a\xf3\xa0\x80\x81", 0, 0,
	  "a\\xf3\\xa0\\x80\\x81" },
	{ "neighbours kept", "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf"
	  "\xe2\x81\xb0", 0, 0, "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf"
	  "\xe2\x81\xb0" },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	size_t n = r->len ? r->len : strlen(r->in);
	char *got = text_escape(r->in, n, r->flags);

	assert_non_null(got);
	assert_string_equal(got, r->want);
	/* Escaped text never needs escaping again. */
	assert_false(text_needs_escape(got, r->flags & ~TEXT_BACKSLASH));
	free(got);
}

static void
test_needs_escape(void **state)
{
	(void)state;
	assert_false(text_needs_escape("C:\\ProgramData\\certbind", 0));
	assert_true(text_needs_escape("C:\\ProgramData", TEXT_BACKSLASH));
	assert_false(text_needs_escape("caf\xc3\xa9", 0));
	assert_true(text_needs_escape("a\x1b", 0));
	assert_true(text_needs_escape("a\xff", 0));
	assert_true(text_needs_escape("a\nb", 0));
	assert_false(text_needs_escape("a\nb", TEXT_KEEP_NEWLINE));
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_needs_escape),
	};
	int failed;

	failed = run_rows("text escapes", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("text", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
