/*
 * test_winpath.c - Windows paths from the policy, judged as text
 * (core/winpath.c): how Win32 would resolve them, and which metrics files
 * certbind refuses because writing them would replace the policy, a
 * folder, a device or a data stream.
 */
#include "unit.h"

#include "winpath.h"

struct norm_row {
	const char *name;
	const char *path;
	const char *want;       /* NULL: not absolute */
};

static const struct norm_row norm_rows[] = {
	{ "drive path kept", "C:\\ProgramData\\certbind\\p.yaml",
	  "C:\\ProgramData\\certbind\\p.yaml" },
	{ "forward slashes", "C:/ProgramData/certbind/p.yaml",
	  "C:\\ProgramData\\certbind\\p.yaml" },
	{ "doubled separators", "C:\\\\ProgramData\\\\\\certbind\\p.yaml",
	  "C:\\ProgramData\\certbind\\p.yaml" },
	{ "dot components", "C:\\ProgramData\\.\\certbind\\.\\p.yaml",
	  "C:\\ProgramData\\certbind\\p.yaml" },
	{ "dot-dot components", "C:\\ProgramData\\x\\..\\certbind\\y\\..\\p.yaml",
	  "C:\\ProgramData\\certbind\\p.yaml" },
	{ "dot-dot stops at the root", "C:\\..\\..\\p.yaml", "C:\\p.yaml" },
	{ "trailing dots and spaces", "C:\\ProgramData. \\certbind\\p.yaml. .",
	  "C:\\ProgramData\\certbind\\p.yaml" },
	{ "\\\\?\\ prefix", "\\\\?\\C:\\ProgramData\\p.yaml",
	  "C:\\ProgramData\\p.yaml" },
	{ "UNC", "\\\\srv\\share\\certbind\\..\\p.yaml", "\\\\srv\\share\\p.yaml" },
	{ "dot-dot stops at the share", "\\\\srv\\share\\..\\..\\p.yaml",
	  "\\\\srv\\share\\p.yaml" },
	{ "\\\\?\\UNC prefix", "\\\\?\\UNC\\srv\\share\\p.yaml",
	  "\\\\srv\\share\\p.yaml" },
	{ "drive root", "C:\\", "C:\\" },
	{ "relative", "p.yaml", NULL },
	{ "drive-relative", "C:p.yaml", NULL },
	{ "rooted, no drive", "\\ProgramData\\p.yaml", NULL },
	{ "UNC without a share", "\\\\srv", NULL },
	{ "UNC, share left empty", "\\\\srv\\\\", NULL },
	{ "\\\\?\\UNC without a share", "\\\\?\\UNC\\srv", NULL },
	{ "empty", "", NULL },
};

static const char *
norm_name(const void *row)
{
	return ((const struct norm_row *)row)->name;
}

static void
test_normalize(void **state)
{
	const struct norm_row *r = *state;
	char *got = winpath_normalize(r->path);

	/* Said without allocating: the loader tells a path that is not
	 * absolute from running out of memory by it. */
	assert_int_equal(winpath_absolute(r->path), r->want != NULL);
	if (r->want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, r->want);
	}
	free(got);
}

#define POLICY "C:\\ProgramData\\certbind\\policy.yaml"

struct metrics_row {
	const char *name;
	const char *metrics;
	const char *policy;     /* NULL: POLICY */
	const char *why;        /* NULL: accepted; else the start of the reason */
};

static const struct metrics_row metrics_rows[] = {
	{ "beside the policy", "C:\\ProgramData\\certbind\\certbind.prom", NULL,
	  NULL },
	{ "in the textfile collector's folder",
	  "C:\\Program Files\\windows_exporter\\textfile_inputs\\certbind.prom",
	  NULL, NULL },
	{ "UNC", "\\\\srv\\metrics\\certbind.prom", NULL, NULL },
	{ "named like the policy in another folder",
	  "C:\\ProgramData\\other\\policy.yaml", NULL, NULL },
	{ "the policy file", POLICY, NULL, "is the policy file itself" },
	{ "the policy file in another case",
	  "c:\\programdata\\CERTBIND\\Policy.YAML", NULL,
	  "is the policy file itself" },
	{ "the policy file with forward slashes",
	  "C:/ProgramData/certbind/policy.yaml", NULL,
	  "is the policy file itself" },
	{ "the policy file through ..",
	  "C:\\ProgramData\\x\\..\\certbind\\.\\policy.yaml", NULL,
	  "is the policy file itself" },
	{ "the policy file with a trailing dot",
	  "C:\\ProgramData\\certbind\\policy.yaml.", NULL,
	  "is the policy file itself" },
	{ "the policy file with trailing spaces",
	  "C:\\ProgramData\\certbind\\policy.yaml  ", NULL,
	  "is the policy file itself" },
	{ "the policy file through \\\\?\\",
	  "\\\\?\\C:\\ProgramData\\certbind\\policy.yaml", NULL,
	  "is the policy file itself" },
	{ "the policy file, given with ..", POLICY,
	  "C:\\ProgramData\\certbind\\sub\\..\\policy.yaml",
	  "is the policy file itself" },
	{ "the policy file on a share", "\\\\SRV\\Share\\policy.yaml",
	  "\\\\srv\\share\\x\\..\\policy.yaml", "is the policy file itself" },
	{ "its temporary file is the policy",
	  "C:\\ProgramData\\certbind\\policy", "C:\\ProgramData\\certbind\\"
	  "policy.tmp", "would replace the policy file" },
	{ "the policy's folder", "C:\\ProgramData\\certbind", NULL,
	  "is the policy file's folder" },
	{ "the policy's data stream",
	  "C:\\ProgramData\\certbind\\policy.yaml::$DATA", NULL,
	  "contains ':' after the drive" },
	{ "a named stream", "C:\\ProgramData\\certbind\\policy.yaml:m", NULL,
	  "contains ':' after the drive" },
	{ "a folder (trailing separator)", "C:\\ProgramData\\certbind\\", NULL,
	  "names a folder" },
	{ "a drive root", "C:\\.", NULL, "names a drive's or share's root" },
	{ "a device", "C:\\ProgramData\\NUL.prom", NULL, "names a device" },
	{ "a COM port", "C:\\x\\com1", NULL, "names a device" },
	{ "not a device: COM0", "C:\\x\\com0", NULL, NULL },
	{ "a COM port: COM superscript one", "C:\\x\\COM\xc2\xb9", NULL,
	  "names a device" },
	{ "a COM port: com superscript two, with extension",
	  "C:\\x\\com\xc2\xb2.prom", NULL, "names a device" },
	{ "a printer port: LPT superscript three", "C:\\x\\LPT\xc2\xb3",
	  NULL, "names a device" },
	{ "not a device: COM and another two-byte letter",
	  "C:\\x\\COM\xc2\xbc", NULL, NULL },
	{ "not a device: CONSOLE", "C:\\x\\console.prom", NULL, NULL },
	{ "a device path", "\\\\.\\PhysicalDrive0", NULL,
	  "names a device path" },
	{ "a wildcard", "C:\\x\\*.prom", NULL, "contains '*'" },
	{ "a control character", "C:\\x\\a\tb.prom", NULL,
	  "contains a control character" },
	{ "relative", "certbind.prom", NULL, "must be an absolute path" },
	{ "drive-relative", "C:certbind.prom", NULL, "must be an absolute path" },
	{ "rooted without a drive", "\\certbind.prom", NULL,
	  "must be an absolute path" },
};

static const char *
metrics_name(const void *row)
{
	return ((const struct metrics_row *)row)->name;
}

static void
test_metrics(void **state)
{
	const struct metrics_row *r = *state;
	char why[512] = "";
	int rc = winpath_check_metrics(r->metrics, r->policy ? r->policy :
	    POLICY, why, sizeof(why));

	if (r->why == NULL) {
		if (rc != 0)
			fail_msg("refused: %s", why);
		return;
	}
	assert_int_equal(rc, -1);
	if (strncmp(why, r->why, strlen(r->why)) != 0)
		fail_msg("reason '%s', want '%s...'", why, r->why);
}

int
main(void)
{
	int failed;

	failed = run_rows("normalize", test_normalize, (void *)norm_rows,
	    sizeof(norm_rows[0]), NROWS(norm_rows), norm_name);
	failed += run_rows("metrics file", test_metrics, (void *)metrics_rows,
	    sizeof(metrics_rows[0]), NROWS(metrics_rows), metrics_name);
	return failed ? 1 : 0;
}
