/*
 * test_record.c - the record helpers: the journal's byte encoding
 * (core/record.c), store names, and the netsh command that recreates a
 * record (core/report.c), parsed back the way cmd.exe and PowerShell
 * would hand it to netsh.
 */
#include "unit.h"

#include "record.h"
#include "report.h"

static void
sample(const char *ep, struct ssl_record *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(endpoint_parse(ep, &r->endpoint, NULL, 0), 0);
	if (r->endpoint.kind != EP_CCS) {
		memset(r->hash, 0xab, THUMB_LEN);
		r->hash_len = THUMB_LEN;
		r->store = "MY";
	}
	memcpy(r->app_id, CERTBIND_APP_ID, 16);
	r->check_mode = CHECK_NO_REVOCATION | CHECK_FRESHNESS_TIME;
	r->revocation_freshness = 600;
	r->url_timeout = 15000;
	r->ctl_identifier = "Partners";
	r->ctl_store = "CA";
	r->flags = SSL_FLAG_NEGOTIATE_CLIENT_CERT | SSL_FLAG_DISABLE_HTTP2;
}

/* The sample without options: only what netsh needs. */
static void
sample_plain(const char *ep, struct ssl_record *r)
{
	sample(ep, r);
	r->check_mode = r->flags = 0;
	r->revocation_freshness = r->url_timeout = 0;
	r->ctl_identifier = r->ctl_store = "";
}

/* Every kind survives encode then decode, field by field. */
static void
test_roundtrip(void **state)
{
	const char *eps[] = { "10.0.0.5:443", "[2001:db8::1]:8443",
	    "www.example.test:443", "ccs:443" };
	uint8_t buf[RECORD_ENCODED_MAX];
	struct ssl_record r, back;
	size_t i, n;

	(void)state;
	for (i = 0; i < NROWS(eps); i++) {
		sample(eps[i], &r);
		n = record_encode(&r, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(record_decode(buf, n, &back), 0);
		assert_true(endpoint_equal(&back.endpoint, &r.endpoint));
		assert_int_equal(back.hash_len, r.hash_len);
		assert_memory_equal(back.hash, r.hash, r.hash_len);
		assert_memory_equal(back.app_id, r.app_id, 16);
		assert_string_equal(record_text(back.store), record_text(r.store));
		assert_int_equal(back.check_mode, r.check_mode);
		assert_int_equal(back.revocation_freshness, 600);
		assert_int_equal(back.url_timeout, 15000);
		assert_string_equal(back.ctl_identifier, "Partners");
		assert_string_equal(back.ctl_store, "CA");
		assert_int_equal(back.flags, r.flags);
	}
}

/* A damaged journal entry is refused, never half read. */
static void
test_damaged(void **state)
{
	uint8_t buf[RECORD_ENCODED_MAX];
	struct ssl_record r, back;
	size_t n, cut;

	(void)state;
	sample("www.example.test:443", &r);
	n = record_encode(&r, buf, sizeof(buf));
	for (cut = 0; cut < n; cut++)
		assert_int_equal(record_decode(buf, cut, &back), -1);
	buf[0] = 'X';
	assert_int_equal(record_decode(buf, n, &back), -1);
	buf[0] = 'C';
	buf[4] = 9;                      /* no such endpoint kind */
	assert_int_equal(record_decode(buf, n, &back), -1);
	assert_int_equal(record_encode(&r, buf, 10), 0);
}

static void
test_netsh(void **state)
{
	struct ssl_record r;
	char cmd[1024];

	(void)state;
	sample("10.0.0.5:443", &r);
	assert_string_equal(report_netsh(&r, cmd, sizeof(cmd)),
	    "netsh http add sslcert ipport=\"10.0.0.5:443\" "
	    "certhash=\"ABABABABABABABABABABABABABABABABABABABAB\" "
	    "appid=\"{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}\" "
	    "certstorename=\"MY\" "
	    "revocationfreshnesstime=\"600\" urlretrievaltimeout=\"15000\" "
	    "sslctlidentifier=\"Partners\" sslctlstorename=\"CA\" "
	    "verifyclientcertrevocation=\"disable\" "
	    "clientcertnegotiation=\"enable\" disablehttp2=\"enable\"");
	sample_plain("www.example.test:443", &r);
	assert_string_equal(report_netsh(&r, cmd, sizeof(cmd)),
	    "netsh http add sslcert hostnameport=\"www.example.test:443\" "
	    "certhash=\"ABABABABABABABABABABABABABABABABABABABAB\" "
	    "appid=\"{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}\" "
	    "certstorename=\"MY\"");
	sample_plain("ccs:443", &r);
	assert_string_equal(report_netsh(&r, cmd, sizeof(cmd)),
	    "netsh http add sslcert ccs=\"443\" "
	    "appid=\"{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}\"");
}

/* Fill a field with n copies of a UTF-8 character, NUL-terminated. */
static void
fill(char *field, const char *ch, size_t n)
{
	size_t w = strlen(ch), i;

	for (i = 0; i < n; i++)
		memcpy(field + i * w, ch, w);
	field[n * w] = '\0';
}

/*
 * The longest value each field can hold survives the journal whole: a
 * store name of 255 three-byte characters, a 1024-character CTL
 * identifier, a 253-byte host, a SHA-256 hash.
 */
static void
test_long_fields(void **state)
{
	static uint8_t buf[RECORD_ENCODED_MAX];
	static char store[RECORD_STORE_MAX], ctl[RECORD_CTL_MAX];
	struct ssl_record r, back;
	size_t n;

	(void)state;
	sample("www.example.test:443", &r);
	fill(r.endpoint.host, "a", ENDPOINT_HOST_MAX);
	memset(r.hash, 0xcd, RECORD_HASH_MAX);
	r.hash_len = RECORD_HASH_MAX;
	fill(store, "\xe2\x82\xac", 255);
	fill(ctl, "\xe2\x82\xac", 1024);
	r.store = r.ctl_store = store;
	r.ctl_identifier = ctl;
	n = record_encode(&r, buf, sizeof(buf));
	assert_int_equal(n, sizeof(buf));
	assert_int_equal(record_decode(buf, n, &back), 0);
	assert_string_equal(back.endpoint.host, r.endpoint.host);
	assert_memory_equal(back.hash, r.hash, RECORD_HASH_MAX);
	assert_string_equal(back.store, r.store);
	assert_string_equal(back.ctl_store, r.ctl_store);
	assert_string_equal(back.ctl_identifier, r.ctl_identifier);
	assert_int_equal(strlen(back.ctl_identifier), 3 * 1024);

	/* One byte short of room is refused, not cut. */
	assert_int_equal(record_encode(&r, buf, sizeof(buf) - 1), 0);
}

/*
 * A journal entry whose last text (the CTL store) claims more bytes than
 * the field holds is refused; one that fits exactly is read whole.
 */
static void
test_text_cap(void **state)
{
	static uint8_t buf[RECORD_ENCODED_MAX], big[RECORD_ENCODED_MAX + 8];
	struct ssl_record r, back;
	size_t n, at, len;

	(void)state;
	for (len = RECORD_STORE_MAX - 1; len <= RECORD_STORE_MAX; len++) {
		sample("10.0.0.5:443", &r);
		r.ctl_store = "";
		n = record_encode(&r, buf, sizeof(buf));
		assert_true(n > 6);
		/* ... [ctl store: 00 00] [flags: 4 bytes] */
		at = n - 6;
		memcpy(big, buf, at);
		big[at] = (uint8_t)len;
		big[at + 1] = (uint8_t)(len >> 8);
		memset(big + at + 2, 'a', len);
		memcpy(big + at + 2 + len, buf + n - 4, 4);
		if (len < RECORD_STORE_MAX) {
			assert_int_equal(record_decode(big, at + 6 + len, &back), 0);
			assert_int_equal(strlen(back.ctl_store), len);
			assert_int_equal(back.flags, r.flags);
		} else {
			assert_int_equal(record_decode(big, at + 6 + len, &back), -1);
		}
	}
}

/*
 * A journal text holding a NUL is refused, never cut short at it: "MY\0x"
 * must not read back as "MY".
 */
static void
test_text_nul(void **state)
{
	static uint8_t buf[RECORD_ENCODED_MAX], big[RECORD_ENCODED_MAX + 8];
	struct ssl_record r, back;
	size_t n, at;

	(void)state;
	sample("10.0.0.5:443", &r);
	r.ctl_store = "";
	n = record_encode(&r, buf, sizeof(buf));
	assert_true(n > 6);
	/* ... [ctl store: 00 00] [flags: 4 bytes] */
	at = n - 6;
	memcpy(big, buf, at);
	big[at] = 4;
	big[at + 1] = 0;
	memcpy(big + at + 2, "CA\0x", 4);
	memcpy(big + at + 6, buf + n - 4, 4);
	assert_int_equal(record_decode(big, n + 4, &back), -1);
	memcpy(big + at + 2, "CAxx", 4);
	assert_int_equal(record_decode(big, n + 4, &back), 0);
	assert_string_equal(back.ctl_store, "CAxx");
}

/*
 * A journal text that is not UTF-8 is refused: certbind writes only what
 * it converted from HTTP.sys's UTF-16, so such bytes are damage, and
 * would reach HTTP.sys as some other name when the record is put back.
 */
static void
test_text_not_utf8(void **state)
{
	static const char *bad[] = { "\xff\xff", "\xe2\x80", "\xc0\xaf",
	    "\xed\xa0\x80" };
	static uint8_t buf[RECORD_ENCODED_MAX], big[RECORD_ENCODED_MAX + 8];
	struct ssl_record r, back;
	size_t n, at, i, len;

	(void)state;
	sample("10.0.0.5:443", &r);
	r.ctl_store = "";
	n = record_encode(&r, buf, sizeof(buf));
	assert_true(n > 6);
	/* ... [ctl store: 00 00] [flags: 4 bytes] */
	at = n - 6;
	for (i = 0; i < NROWS(bad); i++) {
		len = strlen(bad[i]);
		memcpy(big, buf, at);
		big[at] = (uint8_t)len;
		big[at + 1] = 0;
		memcpy(big + at + 2, bad[i], len);
		memcpy(big + at + 2 + len, buf + n - 4, 4);
		assert_int_equal(record_decode(big, n + len, &back), -1);
	}
	/* Valid UTF-8 beyond ASCII is kept. */
	memcpy(big + at + 2, "\xc3\xa9\xe2\x82\xac", 5);
	big[at] = 5;
	memcpy(big + at + 7, buf + n - 4, 4);
	assert_int_equal(record_decode(big, n + 5, &back), 0);
	assert_string_equal(back.ctl_store, "\xc3\xa9\xe2\x82\xac");
}

/*
 * A record costs what its texts cost: it points at them, with no room
 * kept inline for the longest store name or CTL identifier.
 */
static void
test_record_size(void **state)
{
	(void)state;
	assert_true(sizeof(struct ssl_record) < RECORD_STORE_MAX);
}

/* A record with no store name (NULL to HTTP.sys) is in MY. */
static void
test_store_null(void **state)
{
	struct ssl_record a, b;

	(void)state;
	sample("10.0.0.5:443", &a);
	b = a;
	a.store = "";
	assert_string_equal(record_store_name(&a), "MY");
	assert_true(record_same_store(&a, &b));
	assert_true(record_same_options(&a, &b));
	assert_true(record_same_options(&b, &a));
	b.store = "my";
	assert_true(record_same_options(&a, &b));
	b.store = "WebHosting";
	assert_false(record_same_store(&a, &b));
	assert_false(record_same_options(&a, &b));
	assert_string_equal(record_store_name(&b), "WebHosting");
}

/* --- the netsh command, parsed back ---------------------------------- */

#define MAX_ARGS 32

struct args {
	char *v[MAX_ARGS];
	int n;
};

static void
args_free(struct args *a)
{
	while (a->n > 0)
		free(a->v[--a->n]);
}

/*
 * cmd.exe: it expands %NAME% (and !NAME! with delayed expansion) even
 * inside double quotes, so neither may appear; then netsh gets the line
 * and splits it as the C runtime does (CommandLineToArgvW): white space
 * outside quotes separates, '"' opens and closes quoting, and 2n
 * backslashes before '"' are n backslashes, 2n+1 are n and a literal '"'.
 * Returns 0, or -1 when the line would not reach netsh as written.
 */
static int
split_cmd(const char *line, struct args *a)
{
	const char *p = line;

	a->n = 0;
	if (strpbrk(line, "%!") != NULL)
		return -1;
	while (*p) {
		char *arg = malloc(strlen(line) + 1);
		size_t len = 0;
		int quoted = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || arg == NULL) {
			free(arg);
			break;
		}
		while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
			size_t bs = 0;

			while (p[bs] == '\\')
				bs++;
			if (p[bs] == '"') {
				memset(arg + len, '\\', bs / 2);
				len += bs / 2;
				if (bs % 2)
					arg[len++] = '"';
				else
					quoted = !quoted;
				p += bs + 1;
			} else if (bs > 0) {
				memset(arg + len, '\\', bs);
				len += bs;
				p += bs;
			} else {
				arg[len++] = *p++;
			}
		}
		arg[len] = '\0';
		if (a->n == MAX_ARGS) {
			free(arg);
			return -1;
		}
		a->v[a->n++] = arg;
	}
	return 0;
}

/*
 * PowerShell, in argument mode: a bare word runs to white space; inside
 * it, "..." is an expandable string where '$' and '`' are special and a
 * '"' (or a typographic double quote) ends it.  Outside quotes the
 * characters in ps_special start other syntax ({ a script block, $ a
 * variable, ...).  PowerShell then passes each word's value to netsh
 * whole.  Returns 0, or -1 for anything but plain words and strings.
 */
static int
split_powershell(const char *line, struct args *a)
{
	static const char ps_special[] = "{}()@$`;,|&<>#'";
	const char *p = line;

	a->n = 0;
	while (*p) {
		char *arg = malloc(strlen(line) + 1);
		size_t len = 0;

		while (*p == ' ')
			p++;
		if (*p == '\0' || arg == NULL) {
			free(arg);
			break;
		}
		while (*p && *p != ' ') {
			if (*p == '"') {
				for (p++; *p != '"'; p++) {
					if (*p == '\0' || *p == '$' || *p == '`' ||
					    strncmp(p, "\xe2\x80\x9c", 3) == 0 ||
					    strncmp(p, "\xe2\x80\x9d", 3) == 0 ||
					    strncmp(p, "\xe2\x80\x9e", 3) == 0) {
						free(arg);
						return -1;
					}
					arg[len++] = *p;
				}
				p++;
			} else if (strchr(ps_special, *p) != NULL) {
				free(arg);
				return -1;
			} else {
				arg[len++] = *p++;
			}
		}
		arg[len] = '\0';
		if (a->n == MAX_ARGS) {
			free(arg);
			return -1;
		}
		a->v[a->n++] = arg;
	}
	return 0;
}

/* The value of netsh parameter name= in a, or NULL. */
static const char *
arg_value(const struct args *a, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < a->n; i++)
		if (strncmp(a->v[i], name, n) == 0 && a->v[i][n] == '=')
			return a->v[i] + n + 1;
	return NULL;
}

/* Every field of r comes back from the command, through either shell. */
static void
check_parsed(const struct ssl_record *r, const char *cmd,
    int (*split)(const char *, struct args *))
{
	struct args a = { .n = 0 };
	char ep[ENDPOINT_TEXT_MAX], guid[GUID_TEXT], num[16];

	assert_int_equal(split(cmd, &a), 0);
	assert_true(a.n >= 4);
	assert_string_equal(a.v[0], "netsh");
	assert_string_equal(a.v[1], "http");
	assert_string_equal(a.v[2], "add");
	assert_string_equal(a.v[3], "sslcert");
	assert_string_equal(arg_value(&a, "hostnameport"),
	    endpoint_format(&r->endpoint, ep, sizeof(ep)));
	assert_string_equal(arg_value(&a, "certhash"),
	    "ABABABABABABABABABABABABABABABABABABABAB");
	assert_string_equal(arg_value(&a, "appid"),
	    guid_format(r->app_id, guid));
	assert_string_equal(arg_value(&a, "certstorename"), r->store);
	snprintf(num, sizeof(num), "%u", (unsigned)r->revocation_freshness);
	assert_string_equal(arg_value(&a, "revocationfreshnesstime"), num);
	snprintf(num, sizeof(num), "%u", (unsigned)r->url_timeout);
	assert_string_equal(arg_value(&a, "urlretrievaltimeout"), num);
	assert_string_equal(arg_value(&a, "sslctlidentifier"),
	    r->ctl_identifier);
	assert_string_equal(arg_value(&a, "sslctlstorename"), r->ctl_store);
	assert_string_equal(arg_value(&a, "clientcertnegotiation"), "enable");
	assert_string_equal(arg_value(&a, "disablehttp2"), "enable");
	args_free(&a);
}

/* Spaces, braces and shell metacharacters reach netsh whole. */
static void
test_netsh_parsed_back(void **state)
{
	static const char *ctl_ids[] = { "{Partners CTL}", "Partners & Co (EU)",
	    "a|b<c>d^e;f", "x{y}z", "back\\slash inside" };
	struct ssl_record r;
	char cmd[2048];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(ctl_ids); i++) {
		sample("www.example.test:443", &r);
		r.store = "My Store";
		r.ctl_store = "Trusted Partners";
		r.ctl_identifier = ctl_ids[i];
		report_netsh(&r, cmd, sizeof(cmd));
		check_parsed(&r, cmd, split_cmd);
		check_parsed(&r, cmd, split_powershell);
	}
}

/*
 * A value one of the shells would change or cut is never put in a
 * command: the message says which field and gives the fields instead.
 */
static void
test_netsh_refused(void **state)
{
	static const char *bad[] = { "say \"hi\"", "100%", "%PATH%", "$env:x",
	    "tick`n", "ends\\", "bang!", "line\nbreak",
	    "smart \xe2\x80\x9cquote\xe2\x80\x9d", "WebHost\xff",
	    "half \xe2\x80", "surrogate \xed\xa0\x80", "R\xe2\x80\x8cs",
	    "evil\xe2\x80\xaetxt.exe" };
	struct ssl_record r;
	struct args a = { .n = 0 };
	char cmd[2048];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(bad); i++) {
		sample("www.example.test:443", &r);
		r.ctl_identifier = bad[i];
		report_netsh(&r, cmd, sizeof(cmd));
		assert_null(strstr(cmd, "netsh http add"));
		assert_non_null(strstr(cmd, "sslctlidentifier"));
		/* The other fields are still there for the operator. */
		assert_non_null(strstr(cmd, "www.example.test:443"));
	}
	/* The same value quoted plainly: the shells really would break it. */
	assert_int_equal(split_cmd("x=\"100%\"", &a), -1);
	assert_int_equal(split_powershell("x=\"$env:x\"", &a), -1);
	assert_int_equal(split_cmd("x=\"ends\\\" y=\"z\"", &a), 0);
	assert_int_equal(a.n, 1);
	args_free(&a);
}

/*
 * Values from HTTP.sys printed as text are escaped: a terminal escape or
 * a newline in a CTL identifier, store name or SNI host never reaches the
 * message raw, so it cannot clear a screen or forge a line of its own.
 */
static void
test_fields_escaped(void **state)
{
	struct ssl_record r;
	char text[RECORD_TEXT_MAX], cmd[RECORD_TEXT_MAX];

	(void)state;
	sample("www.example.test:443", &r);
	strcpy(r.endpoint.host, "a\x1b]0;x\x07.test");
	r.ctl_identifier = "a\x1b[2Jb\nFAKE LINE";
	r.ctl_store = "CA\r";
	r.store = "MY\x1b";
	record_fields(&r, text, sizeof(text));
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\n'));
	assert_null(strchr(text, '\r'));
	assert_non_null(strstr(text, "hostnameport=a\\x1b]0;x\\x07.test:443 "));
	assert_non_null(strstr(text, "certstorename=MY\\x1b "));
	assert_non_null(strstr(text,
	    "sslctlidentifier='a\\x1b[2Jb\\x0aFAKE LINE' "));
	assert_non_null(strstr(text, "sslctlstorename='CA\\x0d' "));

	/* The netsh fallback lists the same values, escaped too. */
	report_netsh(&r, cmd, sizeof(cmd));
	assert_null(strstr(cmd, "netsh http add"));
	assert_null(strchr(cmd, '\x1b'));
	assert_null(strchr(cmd, '\n'));
	assert_non_null(strstr(cmd, "sslctlidentifier=\"a\\x1b[2Jb\\x0aFAKE "
	    "LINE\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_escaped),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_netsh),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_text_cap),
		cmocka_unit_test(test_store_null),
		cmocka_unit_test(test_text_nul),
		cmocka_unit_test(test_text_not_utf8),
		cmocka_unit_test(test_record_size),
		cmocka_unit_test(test_netsh_parsed_back),
		cmocka_unit_test(test_netsh_refused),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
