/*
 * test_initpolicy.c - `certbind init`'s policy writer (core/initpolicy.c).
 *
 * The round trip is the test: records of every kind and option are
 * written as a policy, the policy is loaded with certbind's own loader,
 * and the plan on the same records and certificates changes nothing.
 * Hostile values (quotes, newlines, YAML syntax, Unicode line breaks and
 * format characters, invalid UTF-8) either load back byte for byte or are
 * left out with a comment that cannot break out of itself.
 */
#include "unit.h"

#include "ascii.h"
#include "initpolicy.h"
#include "plan.h"

/* Certificates 1..12: each covers its own name, n.example.test. */
static const char *const names[] = { NULL, "one.example.test",
	"two.example.test", "three.example.test", "four.example.test",
	"five.example.test", "six.example.test", "seven.example.test",
	"eight.example.test", "nine.example.test", "ten.example.test",
	"eleven.example.test", "twelve.example.test" };

static void
add_cert(struct inventory *inv, uint8_t id, const char *dns,
    enum cert_store store, int64_t not_after)
{
	struct testcert t = { id, dns, { dns }, NOW - 10 * DAY, not_after,
	    true, 0 };

	t.store = store;
	add_testcert(inv, &t);
}

static void
rec(struct ssl_record *r, const char *ep, uint8_t cert, const char *store)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(endpoint_parse(ep, &r->endpoint, NULL, 0), 0);
	if (cert != 0) {
		memset(r->hash, cert, THUMB_LEN);
		r->hash_len = THUMB_LEN;
	}
	r->store = store;
	memcpy(r->app_id, CERTBIND_APP_ID, 16);
}

/* Write, load, plan: the policy must load, and *pol holds it. */
static char *
write_and_load(const struct ssl_record *r, size_t n,
    const struct inventory *inv, struct policy *pol,
    struct init_counts *counts)
{
	struct cb_error err;
	char text[600];
	struct init_input in = { r, n, NULL, 0, NULL, 0, NULL, inv };
	char *yaml = initpolicy_write(&in, NOW, counts);

	assert_non_null(yaml);
	if (policy_parse("init.yaml", yaml, strlen(yaml), pol, &err) != 0)
		fail_msg("the written policy does not load: %s\n%s",
		    cb_error_format(&err, text, sizeof(text)), yaml);
	return yaml;
}

static const struct binding *
binding_at(const struct policy *p, const struct ssl_record *r)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++)
		if (endpoint_compare(&p->bindings[i].endpoint, &r->endpoint) == 0)
			return &p->bindings[i];
	return NULL;
}

/* Every item of the plan on the same records is "none". */
static void
assert_no_change(const struct policy *pol, const struct inventory *inv,
    const struct ssl_record *r, size_t n, const char *yaml)
{
	struct plan plan;
	struct cb_error err;
	size_t i;

	assert_int_equal(plan_build(pol, inv, r, n, NOW, &plan, &err), 0);
	for (i = 0; i < plan.n; i++)
		if (plan.items[i].action != ACTION_NONE)
			fail_msg("%s: plan says %s\n%s", plan.items[i].binding->name,
			    action_name(plan.items[i].action), yaml);
	plan_free(&plan);
}

/* A dozen records of every kind and option: plan changes nothing. */
static void
test_roundtrip(void **state)
{
	static const uint8_t other_app[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	    11, 12, 13, 14, 15, 16 };
	struct inventory inv = { 0 };
	struct ssl_record r[13];
	struct policy pol;
	struct init_counts counts;
	const struct binding *b;
	char *yaml;
	uint8_t i;

	(void)state;
	for (i = 1; i <= 12; i++)
		add_cert(&inv, i, names[i], i == 5 ? STORE_WEBHOSTING : STORE_MY,
		    NOW + 90 * DAY);
	rec(&r[0], "0.0.0.0:443", 1, "MY");
	rec(&r[1], "10.1.2.3:443", 2, NULL);             /* no store: MY */
	rec(&r[2], "[::]:443", 3, "my");
	rec(&r[3], "[2001:db8::7]:8443", 4, "MY");
	rec(&r[4], "0.0.0.0:8444", 5, "WebHosting");
	rec(&r[5], "SiX.Example.Test:443", 6, "MY");    /* SNI, case kept */
	rec(&r[6], "seven.example.test:8443", 7, "MY");
	rec(&r[7], "ccs:443", 0, NULL);
	rec(&r[8], "0.0.0.0:9001", 9, "MY");
	rec(&r[9], "0.0.0.0:9002", 10, "MY");
	rec(&r[10], "0.0.0.0:9003", 11, "MY");
	rec(&r[11], "ccs:8443", 0, NULL);
	rec(&r[12], "0.0.0.0:9004", 12, "MY");
	/* Options, a few per record. */
	r[0].flags = SSL_FLAG_NEGOTIATE_CLIENT_CERT | SSL_FLAG_DISABLE_HTTP2;
	r[1].check_mode = CHECK_NO_REVOCATION | CHECK_NO_USAGE;
	r[2].check_mode = CHECK_CACHED_ONLY | CHECK_FRESHNESS_TIME;
	r[2].revocation_freshness = 600;
	r[3].url_timeout = 15000;
	r[4].ctl_identifier = "Partners";
	r[4].ctl_store = "CA";
	r[5].flags = SSL_FLAG_DISABLE_TLS12 | SSL_FLAG_DISABLE_LEGACY_TLS |
	    SSL_FLAG_DISABLE_QUIC | SSL_FLAG_ENABLE_SESSION_TICKET;
	r[6].flags = SSL_FLAG_USE_DS_MAPPER | SSL_FLAG_REJECT |
	    SSL_FLAG_DISABLE_TLS13 | SSL_FLAG_DISABLE_OCSP_STAPLING;
	r[7].flags = SSL_FLAG_ENABLE_TOKEN_BINDING | SSL_FLAG_LOG_EXTENDED_EVENTS;
	r[7].check_mode = CHECK_NO_REVOCATION;
	memcpy(r[8].app_id, other_app, 16);             /* another AppId */
	r[9].flags = SSL_FLAG_DISABLE_SESSION_ID | SSL_FLAG_NO_RAW_FILTER;
	r[10].check_mode = 0x00100000;                  /* a bit no key sets */
	r[11].url_timeout = 0;
	r[12].revocation_freshness = 30;                /* without its bit */

	yaml = write_and_load(r, 13, &inv, &pol, &counts);
	assert_int_equal(counts.declared, 13);
	assert_int_equal(counts.left_out, 0);
	assert_int_equal(pol.nbindings, 13);
	assert_no_change(&pol, &inv, r, 13, yaml);
	/* The AppId is declared, so nothing becomes a conflict. */
	b = binding_at(&pol, &r[8]);
	assert_non_null(b);
	assert_memory_equal(b->app_id, other_app, 16);
	/* SNI: match.dns is the host; IP: a name the certificate covers. */
	assert_string_equal(binding_at(&pol, &r[5])->match.dns,
	    "six.example.test");
	assert_string_equal(binding_at(&pol, &r[0])->match.dns,
	    "one.example.test");
	assert_int_equal(binding_at(&pol, &r[4])->store, STORE_WEBHOSTING);
	assert_non_null(strstr(yaml, "revocation_freshness_time is left out"));
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/* Hostile CTL identifiers load back byte for byte. */
static void
test_hostile_values(void **state)
{
	static const char *const nasty[] = {
		"\"quoted\" and 'single'",
		"back\\slash\\",
		"line\nbreak\r\n- name: evil\n  endpoint: 1.2.3.4:1",
		"# not a comment",
		"key: value",
		"  leading and trailing  ",
		"*alias &anchor !!str !tag %directive @ `",
		"{ flow: [1, 2] }",
		"tab\there\x01\x1f\x7f",
		"\xc2\x85 next line, \xe2\x80\xa8 line sep, \xe2\x80\xa9 para sep",
		"\xe2\x80\xae right-to-left override, \xef\xbb\xbf BOM",
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92",
		"...",
		"---",
		"~",
		"null",
		"true",
		"0x1F",
	};
	struct inventory inv = { 0 };
	struct ssl_record r[NROWS(nasty)];
	struct policy pol;
	struct init_counts counts;
	char ep[32], *yaml;
	size_t i;

	(void)state;
	add_cert(&inv, 1, names[1], STORE_MY, NOW + 90 * DAY);
	for (i = 0; i < NROWS(nasty); i++) {
		snprintf(ep, sizeof(ep), "0.0.0.0:%zu", 1000 + i);
		rec(&r[i], ep, 1, "MY");
		r[i].ctl_identifier = nasty[i];
		r[i].ctl_store = nasty[i][0] == '\xe2' ? "\xe2\x80\xae""CA" : "CA";
	}
	yaml = write_and_load(r, NROWS(nasty), &inv, &pol, &counts);
	assert_int_equal(pol.nbindings, NROWS(nasty));
	for (i = 0; i < NROWS(nasty); i++) {
		const struct binding *b = binding_at(&pol, &r[i]);

		assert_non_null(b);
		assert_string_equal(b->options.ctl_identifier, nasty[i]);
		assert_string_equal(b->options.ctl_store, r[i].ctl_store);
	}
	/* Printable ASCII only: nothing in a value acts on a reader. */
	for (i = 0; yaml[i] != '\0'; i++)
		assert_true(yaml[i] == '\n' || (yaml[i] >= 0x20 && yaml[i] < 0x7f));
	assert_no_change(&pol, &inv, r, NROWS(nasty), yaml);
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/* A certificate missing from the store: listed, commented out, why. */
static void
test_missing_certificate(void **state)
{
	struct inventory inv = { 0 };
	struct ssl_record r[2];
	struct policy pol;
	struct init_counts counts;
	char *yaml;

	(void)state;
	add_cert(&inv, 1, names[1], STORE_MY, NOW + 90 * DAY);
	rec(&r[0], "0.0.0.0:443", 1, "MY");
	rec(&r[1], "10.0.0.9:443", 7, "MY");            /* 7 is not there */
	yaml = write_and_load(r, 2, &inv, &pol, &counts);
	assert_int_equal(counts.declared, 1);
	assert_int_equal(counts.left_out, 1);
	assert_int_equal(pol.nbindings, 1);
	assert_null(binding_at(&pol, &r[1]));
	assert_non_null(strstr(yaml, "  # left out: 10.0.0.9:443: certificate "
	    "0707070707070707070707070707070707070707 is not in "
	    "LocalMachine\\x5cMy\n"));
	assert_non_null(strstr(yaml, "  # - name: \"ipv4-10.0.0.9-443\"\n"
	    "  #   endpoint: \"10.0.0.9:443\"\n"));
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/*
 * Values that cannot be declared: a store name that tries to start a
 * binding of its own, a wildcard-only certificate, a CTL identifier that
 * is not UTF-8 (left out, the rest declared), one too long.
 */
static void
test_left_out(void **state)
{
	static char long_ctl[300];
	struct testcert wild = { 3, "*.example.test", { "*.example.test" },
	    NOW - DAY, NOW + 30 * DAY, true, 0 };
	struct inventory inv = { 0 };
	struct ssl_record r[5];
	struct policy pol;
	struct init_counts counts;
	char *yaml;
	size_t i;

	(void)state;
	memset(long_ctl, 'x', sizeof(long_ctl) - 1);
	add_cert(&inv, 1, names[1], STORE_MY, NOW + 90 * DAY);
	add_testcert(&inv, &wild);
	rec(&r[0], "0.0.0.0:1", 1, "MY\n  - name: evil\n    endpoint: 9.9.9.9:9");
	rec(&r[1], "0.0.0.0:2", 3, "MY");
	rec(&r[2], "0.0.0.0:3", 1, "MY");
	r[2].ctl_identifier = "bad \xff\xfe utf-8";
	rec(&r[3], "0.0.0.0:4", 1, "MY");
	r[3].ctl_identifier = long_ctl;
	rec(&r[4], "0.0.0.0:5", 1, "MY");
	yaml = write_and_load(r, 5, &inv, &pol, &counts);
	assert_int_equal(counts.declared, 3);
	assert_int_equal(counts.left_out, 2);
	assert_int_equal(pol.nbindings, 3);
	for (i = 0; i < pol.nbindings; i++)
		assert_string_not_equal(pol.bindings[i].name, "evil");
	assert_null(binding_at(&pol, &r[0]));
	assert_null(binding_at(&pol, &r[1]));
	assert_non_null(strstr(yaml, "its certificate store 'MY\\x0a  - name: "
	    "evil"));
	assert_non_null(strstr(yaml, "a wildcard only"));
	assert_non_null(strstr(yaml, "ssl_ctl_identifier is left out: it is "
	    "not valid UTF-8"));
	assert_non_null(strstr(yaml, "ssl_ctl_identifier is left out: longer"));
	assert_null(binding_at(&pol, &r[2])->options.ctl_identifier);
	/* Left out, the value is kept as HTTP.sys has it: no change. */
	assert_no_change(&pol, &inv, &r[2], 3, yaml);
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/* A better certificate already in the store: plan names that binding. */
static void
test_better_certificate(void **state)
{
	struct inventory inv = { 0 };
	struct ssl_record r[2];
	struct policy pol;
	struct plan plan;
	struct cb_error err;
	struct init_counts counts;
	char *yaml;

	(void)state;
	add_cert(&inv, 1, names[1], STORE_MY, NOW + 30 * DAY);
	add_cert(&inv, 2, names[2], STORE_MY, NOW + 30 * DAY);
	add_cert(&inv, 3, names[2], STORE_MY, NOW + 300 * DAY);  /* renewal */
	rec(&r[0], "0.0.0.0:443", 1, "MY");
	rec(&r[1], "0.0.0.0:444", 2, "MY");
	yaml = write_and_load(r, 2, &inv, &pol, &counts);
	assert_int_equal(plan_build(&pol, &inv, r, 2, NOW, &plan, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_NONE);
	assert_int_equal(plan.items[1].action, ACTION_UPDATE_HASH);
	assert_int_equal(plan.items[1].sel.chosen->thumb[0], 3);
	plan_free(&plan);
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/* Names stay unique, within 64 characters, when host names are long. */
static void
test_unique_names(void **state)
{
	struct inventory inv = { 0 };
	struct ssl_record r[3];
	struct policy pol;
	struct init_counts counts;
	char host[3][200], *yaml;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(host[i], sizeof(host[i]), "a-very-long-label-that-goes-"
		    "on.and-on-and-on-for-ever.example.test%zu:443", i);
		rec(&r[i], host[i], (uint8_t)(i + 1), "MY");
		*strchr(host[i], ':') = '\0';
		add_cert(&inv, (uint8_t)(i + 1), host[i], STORE_MY,
		    NOW + 90 * DAY);
	}
	yaml = write_and_load(r, 3, &inv, &pol, &counts);
	assert_int_equal(pol.nbindings, 3);
	for (i = 0; i < 3; i++)
		assert_true(strlen(pol.bindings[i].name) <= BINDING_NAME_MAX);
	assert_no_change(&pol, &inv, r, 3, yaml);
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/* Records that cannot be read are listed as comments. */
static void
test_broken(void **state)
{
	struct inventory inv = { 0 };
	struct ssl_record r;
	struct broken_record bad;
	struct init_input in;
	struct init_counts counts;
	char *yaml;

	(void)state;
	add_cert(&inv, 1, names[1], STORE_MY, NOW + 90 * DAY);
	rec(&r, "0.0.0.0:443", 1, "MY");
	memset(&bad, 0, sizeof(bad));
	memset(&in, 0, sizeof(in));
	snprintf(bad.key, sizeof(bad.key), "1.2.3.4:1\n- name: x");
	snprintf(bad.reason, sizeof(bad.reason), "the store name is too long");
	in.records = &r;
	in.n = 1;
	in.broken = &bad;
	in.nbroken = 1;
	in.inv = &inv;
	yaml = initpolicy_write(&in, NOW, &counts);
	assert_non_null(yaml);
	assert_int_equal(counts.left_out, 1);
	assert_non_null(strstr(yaml, "  # left out: 1.2.3.4:1\\x0a- name: x: "
	    "the record cannot be read: the store name is too long\n"));
	free(yaml);
	inventory_free(&inv);
}

/* --- the registry-backed consumers: rdp and sqlserver -------------------- */

#define HOST "host.example.test"       /* the computer's DNS name */
#define WILD 20                        /* a wildcard-only certificate */
#define WEB 21                         /* one in WebHosting only */
#define X10 "XXXXXXXXXX"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10

/* One value in, what the policy says of it. */
struct value_row {
	const char *name;
	enum target_kind target;
	const char *instance;
	const char *problem;
	uint8_t cert;                      /* thumbprint bytes */
	const char *host;                  /* the computer's DNS name */
	/* Declared: the binding's name, match.dns (NULL: left out), and
	 * whether the policy says instance:.  Left out: want is in the
	 * comment. */
	bool declared;
	const char *binding;
	const char *dns;
	bool has_instance;
	const char *want;
};

static const struct value_row value_rows[] = {
	{ "rdp: covers the host: match.dns left out", TARGET_RDP, NULL, NULL,
	  1, HOST, true, "rdp", NULL, false, NULL },
	{ "rdp: another name: the certificate's", TARGET_RDP, NULL, NULL, 2,
	  HOST, true, "rdp", "two.example.test", false, NULL },
	{ "rdp: host not known: the certificate's name", TARGET_RDP, NULL,
	  NULL, 1, NULL, true, "rdp", HOST, false, NULL },
	{ "rdp: host with a trailing dot, upper case", TARGET_RDP, NULL, NULL,
	  1, "HOST.Example.Test.", true, "rdp", NULL, false, NULL },
	{ "sqlserver: the default instance: no instance:", TARGET_SQLSERVER,
	  "MSSQLSERVER", NULL, 1, HOST, true, "sqlserver-MSSQLSERVER", NULL,
	  false, NULL },
	{ "sqlserver: the default instance in lower case", TARGET_SQLSERVER,
	  "mssqlserver", NULL, 2, HOST, true, "sqlserver-mssqlserver",
	  "two.example.test", false, NULL },
	{ "sqlserver: a named instance, '$' in its name", TARGET_SQLSERVER,
	  "SALES$2", NULL, 1, HOST, true, "sqlserver-SALES-2", NULL, true,
	  NULL },
	{ "rdp: certificate not in the store", TARGET_RDP, NULL, NULL, 7, HOST,
	  false, NULL, NULL, false, "  # left out: the RDP listener: "
	  "certificate 0707070707070707070707070707070707070707 is not in "
	  "LocalMachine\\x5cMy\n  # - name: \"rdp\"\n  #   target: rdp\n" },
	{ "rdp: all-zero thumbprint", TARGET_RDP, NULL, NULL, 0, HOST, false,
	  NULL, NULL, false, "certificate 0000000000000000000000000000000000000000"
	  " is not in" },
	{ "rdp: all-ones thumbprint", TARGET_RDP, NULL, NULL, 0xff, HOST, false,
	  NULL, NULL, false, "certificate FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	  " is not in" },
	{ "sqlserver: certificate in WebHosting only", TARGET_SQLSERVER,
	  "SALES", NULL, WEB, HOST, false, NULL, NULL, false,
	  "  # left out: SQL Server instance SALES: certificate "
	  "1515151515151515151515151515151515151515 is not in "
	  "LocalMachine\\x5cMy\n  # - name: \"sqlserver-SALES\"\n"
	  "  #   target: sqlserver\n  #   instance: \"SALES\"\n" },
	{ "rdp: a wildcard certificate covering the host", TARGET_RDP, NULL,
	  NULL, WILD, "other.example.test", true, "rdp", NULL, false, NULL },
	{ "sqlserver: a wildcard certificate, host not covered",
	  TARGET_SQLSERVER, "SALES", NULL, WILD, "other.test", false, NULL,
	  NULL, false, "does not cover the computer's DNS name" },
	{ "rdp: the value cannot be read", TARGET_RDP, NULL,
	  "Access is denied. (error 5)", 1, HOST, false, NULL, NULL, false,
	  "  # left out: the RDP listener: its certificate cannot be read: "
	  "Access is denied. (error 5)\n  # - name: \"rdp\"\n" },
	{ "sqlserver: a hostile reason stays in its comment", TARGET_SQLSERVER,
	  "SALES", "bad\n- name: evil\r\x85\xe2\x80\xa8#", 1, HOST, false, NULL,
	  NULL, false, "cannot be read: bad\\x0a- name: evil\\x0d\\x85\\xe2"
	  "\\x80\\xa8#\n" },
	{ "sqlserver: a name that would start a binding", TARGET_SQLSERVER,
	  "X\n- name: evil\n  target: rdp", NULL, 1, HOST, false, NULL, NULL,
	  false, "  # left out: SQL Server instance X\\x0a- name: evil\\x0a  "
	  "target: rdp: its name cannot be a policy's instance" },
	{ "sqlserver: a name of 17 characters", TARGET_SQLSERVER,
	  "ABCDEFGHIJKLMNOPQ", NULL, 1, HOST, false, NULL, NULL, false,
	  "its name cannot be a policy's instance" },
	{ "sqlserver: a long name is said whole", TARGET_SQLSERVER,
	  X100 X100 X100 X100 X100 "END", NULL, 1, HOST, false, NULL, NULL,
	  false, "instance " X100 X100 X100 X100 X100 "END: its name cannot" },
	{ "sqlserver: a name not in ASCII", TARGET_SQLSERVER, "CAF\xc3\x89",
	  NULL, 1, HOST, false, NULL, NULL, false,
	  "SQL Server instance CAF\\xc3\\x89: its name cannot" },
	{ "sqlserver: the list of instances cannot be read", TARGET_SQLSERVER,
	  NULL, "Access is denied. (error 5)", 0, HOST, false, NULL, NULL,
	  false, "  # left out: SQL Server instances: their list cannot be "
	  "read: Access is denied. (error 5)\n" },
};

static const char *
value_name(const void *row)
{
	return ((const struct value_row *)row)->name;
}

/*
 * Certificates 1 and 2, the wildcard (which covers both their names, and
 * expires sooner: it is never the better choice), and one in WebHosting.
 */
static void
value_store(struct inventory *inv)
{
	struct testcert wild = { WILD, "*.example.test", { "*.example.test" },
	    NOW - 20 * DAY, NOW + 30 * DAY, true, 0 };

	add_cert(inv, 1, HOST, STORE_MY, NOW + 90 * DAY);
	add_cert(inv, 2, names[2], STORE_MY, NOW + 90 * DAY);
	add_cert(inv, WEB, HOST, STORE_WEBHOSTING, NOW + 90 * DAY);
	add_testcert(inv, &wild);
}

/* What each registry-backed binding's target holds: in's values. */
static struct held_thumb *
held_of(const struct policy *pol, const struct init_input *in)
{
	struct held_thumb *held = calloc(pol->nbindings + 1, sizeof(*held));
	size_t i, k;

	assert_non_null(held);
	for (i = 0; i < pol->nbindings; i++) {
		const struct binding *b = &pol->bindings[i];

		for (k = 0; k < in->nvalues; k++) {
			const struct held_value *v = &in->values[k];

			if (v->target != b->target || (b->instance != NULL &&
			    !ascii_equal_nocase(v->instance, b->instance)))
				continue;
			held[i].present = true;
			memcpy(held[i].thumb, v->thumb, THUMB_LEN);
		}
	}
	return held;
}

/*
 * Load in's policy as certbind does (match.dns defaulting to the host)
 * and plan on what in holds: nothing changes.
 */
static void
assert_values_kept(const struct init_input *in, const char *yaml,
    struct policy *pol)
{
	struct held_thumb *held;
	struct plan plan;
	struct cb_error err;
	char text[600];
	size_t i;

	if (policy_parse("init.yaml", yaml, strlen(yaml), pol, &err) != 0 ||
	    policy_default_dns(pol, in->host_dns, &err, "init.yaml") != 0)
		fail_msg("the written policy does not load: %s\n%s",
		    cb_error_format(&err, text, sizeof(text)), yaml);
	held = held_of(pol, in);
	assert_int_equal(plan_build_targets(pol, in->inv, in->records, in->n,
	    held, NOW, NULL, NULL, &plan, &err), 0);
	for (i = 0; i < plan.n; i++)
		if (plan.items[i].action != ACTION_NONE)
			fail_msg("%s: plan says %s\n%s", plan.items[i].binding->name,
			    action_name(plan.items[i].action), yaml);
	plan_free(&plan);
	free(held);
}

static void
test_value(void **state)
{
	const struct value_row *r = *state;
	struct inventory inv = { 0 };
	struct held_value v = { r->target, r->instance, r->problem, { 0 } };
	struct init_input in = { NULL, 0, NULL, 0, &v, 1, r->host, &inv };
	struct init_counts counts;
	struct policy pol;
	const struct binding *b;
	char *yaml;
	size_t i;

	value_store(&inv);
	memset(v.thumb, r->cert, THUMB_LEN);
	yaml = initpolicy_write(&in, NOW, &counts);
	assert_non_null(yaml);
	for (i = 0; yaml[i] != '\0'; i++)
		assert_true(yaml[i] == '\n' || (yaml[i] >= 0x20 && yaml[i] < 0x7f));
	assert_int_equal(counts.declared, r->declared ? 1 : 0);
	assert_int_equal(counts.left_out, r->declared ? 0 : 1);
	if (!r->declared) {
		if (strstr(yaml, r->want) == NULL)
			fail_msg("not in the policy: %s\n%s", r->want, yaml);
		free(yaml);
		inventory_free(&inv);
		return;
	}
	assert_values_kept(&in, yaml, &pol);
	assert_int_equal(pol.nbindings, 1);
	b = &pol.bindings[0];
	assert_string_equal(b->name, r->binding);
	assert_int_equal(b->target, r->target);
	assert_int_equal(strstr(yaml, "instance:") != NULL, r->has_instance);
	assert_int_equal(strstr(yaml, "match:") != NULL, r->dns != NULL);
	if (r->dns != NULL)
		assert_string_equal(b->match.dns, r->dns);
	if (r->target == TARGET_SQLSERVER)
		assert_string_equal(b->instance, r->has_instance ? r->instance :
		    SQL_DEFAULT_INSTANCE);
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/*
 * Records and values together: names unique, the RDP listener and each
 * instance declared once, in order, and the plan on all of it changes
 * nothing.
 */
static void
test_values_with_records(void **state)
{
	struct inventory inv = { 0 };
	struct ssl_record r[2];
	struct held_value v[5] = {
		{ TARGET_SQLSERVER, "ZULU", NULL, { 0 } },
		{ TARGET_SQLSERVER, "MSSQLSERVER", NULL, { 0 } },
		{ TARGET_RDP, NULL, NULL, { 0 } },
		{ TARGET_SQLSERVER, "Alpha", NULL, { 0 } },
		{ TARGET_SQLSERVER, "GONE", NULL, { 0 } },
	};
	struct init_input in = { r, 2, NULL, 0, v, 5, HOST, &inv };
	struct init_counts counts;
	struct policy pol;
	char *yaml, *rdp, *alpha, *def, *zulu;

	(void)state;
	value_store(&inv);
	rec(&r[0], "0.0.0.0:443", 1, "MY");
	rec(&r[1], "two.example.test:443", 2, "MY");
	memset(v[0].thumb, 2, THUMB_LEN);
	memset(v[1].thumb, 1, THUMB_LEN);
	memset(v[2].thumb, 1, THUMB_LEN);
	memset(v[3].thumb, 1, THUMB_LEN);
	memset(v[4].thumb, 9, THUMB_LEN);          /* not in the store */
	yaml = initpolicy_write(&in, NOW, &counts);
	assert_non_null(yaml);
	assert_int_equal(counts.declared, 6);
	assert_int_equal(counts.left_out, 1);
	assert_values_kept(&in, yaml, &pol);
	assert_int_equal(pol.nbindings, 6);
	/* rdp first, then the instances by name, whatever the case. */
	rdp = strstr(yaml, "- name: \"rdp\"");
	alpha = strstr(yaml, "- name: \"sqlserver-Alpha\"");
	def = strstr(yaml, "- name: \"sqlserver-MSSQLSERVER\"");
	zulu = strstr(yaml, "- name: \"sqlserver-ZULU\"");
	assert_true(rdp != NULL && alpha > rdp && def > alpha && zulu > def);
	assert_non_null(strstr(yaml, "# - name: \"sqlserver-GONE\""));
	assert_non_null(strstr(yaml, "# A policy written by 'certbind init'"));
	assert_non_null(strstr(yaml, "certificates: 6 declared, 1 left out\n"));
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

/*
 * Two instances whose names map to the same binding name ("A B" is no
 * instance name a policy takes, and is commented out under its name):
 * the second is suffixed.
 */
static void
test_value_names_unique(void **state)
{
	struct inventory inv = { 0 };
	struct held_value v[2] = {
		{ TARGET_SQLSERVER, "A$B", NULL, { 0 } },
		{ TARGET_SQLSERVER, "A B", NULL, { 0 } },
	};
	struct init_input in = { NULL, 0, NULL, 0, v, 2, HOST, &inv };
	struct init_counts counts;
	struct policy pol;
	char *yaml;

	(void)state;
	value_store(&inv);
	memset(v[0].thumb, 1, THUMB_LEN);
	yaml = initpolicy_write(&in, NOW, &counts);
	assert_non_null(yaml);
	assert_int_equal(counts.declared, 1);
	assert_int_equal(counts.left_out, 1);
	assert_values_kept(&in, yaml, &pol);
	assert_int_equal(pol.nbindings, 1);
	assert_non_null(strstr(yaml, "  # - name: \"sqlserver-A-B\"\n"));
	assert_string_equal(pol.bindings[0].name, "sqlserver-A-B-2");
	assert_string_equal(pol.bindings[0].instance, "A$B");
	free(yaml);
	policy_free(&pol);
	inventory_free(&inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_missing_certificate),
		cmocka_unit_test(test_left_out),
		cmocka_unit_test(test_better_certificate),
		cmocka_unit_test(test_unique_names),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_values_with_records),
		cmocka_unit_test(test_value_names_unique),
	};
	int rc = 0;

	rc |= run_rows("init: registry values", test_value, (void *)value_rows,
	    sizeof(value_rows[0]), NROWS(value_rows), value_name);
	rc |= cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
