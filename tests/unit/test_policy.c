/*
 * test_policy.c - the policy loader: good policies load to the expected
 * model, bad ones fail with the exact message and position.
 */
#include "unit.h"

#include "policy.h"
#include "record.h"

struct row {
	const char *name;
	const char *yaml;
	const char *want;   /* "LINE:COL: message", or NULL for a valid policy */
};

#define HEAD "version: 1\nbindings:\n"

static const struct row rows[] = {
	{ "minimal policy", HEAD
	  "  - name: api\n    endpoint: 0.0.0.0:8443\n"
	  "    match: { dns: api.example.test }\n", NULL },
	{ "flow style and ipv6", "{version: 1, bindings: [{name: a, endpoint: "
	  "'[::]:443', match: {dns: A.Example.TEST.}}]}", NULL },
	{ "two bindings", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	  "  - name: b\n    endpoint: 10.0.0.1:443\n    match: {dns: b.test}\n",
	  NULL },
	{ "empty file", "", "1:1: the policy is empty" },
	{ "not a mapping", "- a\n- b\n",
	  "1:1: expected a mapping (key: value) for the policy" },
	{ "missing version", "bindings:\n  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test}\n",
	  "1:1: the policy is missing the required key 'version'" },
	{ "version 2", "version: 2\nbindings: []\n",
	  "1:10: version must be 1 (the only policy version this certbind "
	  "reads)" },
	{ "quoted version", "version: '1'\n",
	  "1:10: version must be 1 (the only policy version this certbind "
	  "reads)" },
	{ "unknown top key with suggestion", "version: 1\nbindigs: []\n",
	  "2:1: unknown key 'bindigs' in the policy (did you mean "
	  "'bindings'?)" },
	{ "unknown key, no suggestion", "version: 1\nfrobnicate: 1\n",
	  "2:1: unknown key 'frobnicate' in the policy" },
	{ "duplicate key", "version: 1\nversion: 1\n",
	  "2:1: duplicate key 'version' (first given at line 1)" },
	{ "empty bindings", "version: 1\nbindings: []\n",
	  "2:11: bindings must be a list with at least one binding" },
	{ "binding not a mapping", HEAD "  - api\n",
	  "3:5: expected a mapping (key: value) for a binding" },
	{ "missing endpoint", HEAD "  - name: api\n    match: {dns: a.test}\n",
	  "3:5: a binding is missing the required key 'endpoint'" },
	{ "misspelt endpoint", HEAD "  - name: api\n    endpont: 0.0.0.0:1\n",
	  "4:5: unknown key 'endpont' in a binding (did you mean 'endpoint'?)" },
	{ "bad name", HEAD "  - name: my api\n    endpoint: 0.0.0.0:1\n",
	  "3:11: name 'my api' may hold only letters, digits, '.', '_' and '-'" },
	{ "bad port", HEAD "  - name: a\n    endpoint: 0.0.0.0:70000\n",
	  "4:15: endpoint '0.0.0.0:70000': port must be a number from 1 to "
	  "65535" },
	{ "bad ipv4", HEAD "  - name: a\n    endpoint: 300.1.1.1:443\n",
	  "4:15: endpoint '300.1.1.1:443': invalid IPv4 address" },
	{ "ipv6 without brackets", HEAD "  - name: a\n    endpoint: ::1:443\n",
	  "4:15: endpoint '::1:443': an IPv6 address must be written in "
	  "brackets: [::1]:443" },
	{ "sni endpoint takes its host as match.dns", HEAD
	  "  - name: a\n    endpoint: www.example.test:443\n", NULL },
	{ "ccs endpoint needs no match", HEAD
	  "  - name: a\n    endpoint: ccs:443\n", NULL },
	{ "ccs endpoint refuses match", HEAD
	  "  - name: a\n    endpoint: ccs:443\n    match: {dns: a.test}\n",
	  "5:12: a ccs endpoint takes its certificates from the Central "
	  "Certificate Store; match does not apply to it" },
	{ "ccs endpoint refuses cert_store", HEAD
	  "  - name: a\n    endpoint: ccs:443\n"
	  "    options: {cert_store: My}\n",
	  "5:27: a ccs endpoint takes its certificates from the Central "
	  "Certificate Store; cert_store does not apply to it" },
	{ "ip endpoint needs match.dns", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n",
	  "3:5: binding 'a' needs match.dns: the name its certificate must "
	  "cover" },
	{ "match.dns not a host name", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: 'a b'}\n",
	  "5:18: match.dns must be a DNS host name such as api.example.test, "
	  "not 'a b'" },
	{ "match.dns is a list", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: [a]}\n",
	  "5:18: expected a non-empty string for match.dns" },
	{ "unknown match key", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dsn: a.test}\n",
	  "5:13: unknown key 'dsn' in match (did you mean 'dns'?)" },
	{ "duplicate name points at the second", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "  - name: a\n    endpoint: 0.0.0.0:2\n    match: {dns: a.test}\n",
	  "6:11: duplicate binding name 'a' (first used at line 3)" },
	{ "duplicate endpoint points at the second", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	  "  - name: b\n    endpoint: '0.0.0.0:443'\n    match: {dns: b.test}\n",
	  "7:15: endpoint 0.0.0.0:443 is already bound by 'a' (line 3)" },
	{ "same ipv6 written two ways", HEAD
	  "  - name: a\n    endpoint: '[0:0::0]:443'\n    match: {dns: a.test}\n"
	  "  - name: b\n    endpoint: '[::]:443'\n    match: {dns: b.test}\n",
	  "7:15: endpoint [::]:443 is already bound by 'a' (line 3)" },
	{ "anchor refused", "version: &v 1\n",
	  "1:10: anchors (&name) are not allowed in a policy" },
	{ "alias refused", "version: 1\nx: &a [1]\ny: *a\n",
	  "2:4: anchors (&name) are not allowed in a policy" },
	{ "bare alias refused", "version: *a\n",
	  "1:10: aliases (*name) are not allowed in a policy" },
	{ "tag refused", "version: !!int 1\n",
	  "1:10: tags (!name) are not allowed in a policy" },
	{ "two documents refused", "version: 1\n---\nversion: 1\n",
	  "2:1: a policy file holds one YAML document" },
	{ "syntax error position", "version: 1\nbindings: [\n",
	  "3:1: while parsing a flow node did not find expected node content" },
	{ "invalid utf-8", "version: 1\n# caf\xc3\n",
	  "2:6: invalid trailing UTF-8 octet (the policy must be UTF-8 "
	  "text)" },
	{ "invalid utf-8 lead byte", "version: 1\n# ab\xff\n",
	  "2:5: invalid leading UTF-8 octet (the policy must be UTF-8 text)" },
	{ "nesting too deep", "a: [[[[[1]]]]]\n",
	  "1:8: nesting is deeper than a policy allows (5 levels)" },
	{ "nesting as deep as the schema goes", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match:\n"
	  "      dns: a.test\n"
	  "      thumbprints: [0101010101010101010101010101010101010101]\n",
	  NULL },
	/* --- every key, good and bad --- */
	{ "every key at once", "version: 1\n"
	  "defaults: {store: WebHosting, app_id: '{11111111-2222-3333-4444-"
	  "555555555555}', renew_warning_days: 14}\n"
	  "service: {resync_interval: 15m, debounce: 50ms, log: stderr, "
	  "metrics_file: 'C:\\ProgramData\\certbind\\m.prom'}\n"
	  "bindings:\n  - name: a\n    endpoint: 0.0.0.0:443\n"
	  "    takeover: true\n"
	  "    match:\n      dns: a.test\n      issuer: Contoso\n"
	  "      thumbprints: ['01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 "
	  "01 01 01 01']\n      template: WebServer\n      min_days_left: 7\n"
	  "    options:\n      app_id: 11111111-2222-3333-4444-555555555555\n"
	  "      cert_store: My\n      verify_client_cert_revocation: true\n"
	  "      verify_revocation_with_cached_client_cert_only: false\n"
	  "      usage_check: true\n      revocation_freshness_time: 1d\n"
	  "      url_retrieval_timeout: 30s\n      ssl_ctl_identifier: Root\n"
	  "      ssl_ctl_store_name: CA\n      ds_mapper_usage: false\n"
	  "      client_cert_negotiation: true\n      reject: false\n"
	  "      disable_http2: true\n      disable_quic: true\n"
	  "      disable_tls12: false\n      disable_tls13: false\n"
	  "      disable_legacy_tls: true\n      disable_ocsp_stapling: false\n"
	  "      enable_token_binding: false\n      log_extended_events: true\n"
	  "      enable_session_ticket: false\n      disable_session_id: false\n",
	  NULL },
	{ "bad default store", "version: 1\ndefaults: {store: Root}\n",
	  "2:19: defaults.store must be My or WebHosting (a LocalMachine store "
	  "HTTP.sys can use)" },
	{ "bad app_id", "version: 1\ndefaults: {app_id: 1234}\n",
	  "2:20: defaults.app_id must be a GUID such as "
	  "{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}" },
	{ "null app_id", "version: 1\ndefaults: "
	  "{app_id: '{00000000-0000-0000-0000-000000000000}'}\n",
	  "2:20: defaults.app_id must not be the null GUID" },
	{ "renew_warning_days out of range", "version: 1\n"
	  "defaults: {renew_warning_days: 400}\n",
	  "2:32: defaults.renew_warning_days must be a whole number from 0 to "
	  "365" },
	{ "renew_warning_days negative", "version: 1\n"
	  "defaults: {renew_warning_days: -1}\n",
	  "2:32: defaults.renew_warning_days must be a whole number from 0 to "
	  "365" },
	{ "unknown defaults key", "version: 1\ndefaults: {stroe: My}\n",
	  "2:12: unknown key 'stroe' in defaults (did you mean 'store'?)" },
	{ "duration without a unit", "version: 1\n"
	  "service: {resync_interval: 90}\n",
	  "2:28: service.resync_interval must be a duration from 10s to 7d, "
	  "written like 90s, 15m, 1h or 7d" },
	{ "duration too short", "version: 1\nservice: {resync_interval: 5s}\n",
	  "2:28: service.resync_interval must be a duration from 10s to 7d, "
	  "written like 90s, 15m, 1h or 7d" },
	{ "duration with a bad unit", "version: 1\nservice: {debounce: 5y}\n",
	  "2:21: service.debounce must be a duration from 0s to 10s, written "
	  "like 90s, 15m, 1h or 7d" },
	{ "quoted duration is a string", "version: 1\n"
	  "service: {debounce: '50ms'}\n",
	  "2:21: service.debounce must be a duration from 0s to 10s, written "
	  "like 90s, 15m, 1h or 7d" },
	{ "bad log target", "version: 1\nservice: {log: syslog}\n",
	  "2:16: service.log must be eventlog or stderr" },
	{ "relative metrics file", "version: 1\n"
	  "service: {metrics_file: certbind.prom}\n",
	  "2:25: service.metrics_file must be an absolute path such as "
	  "C:\\ProgramData\\certbind\\certbind.prom or "
	  "\\\\server\\share\\certbind.prom" },
	{ "metrics file in a data stream", "version: 1\n"
	  "service: {metrics_file: 'C:\\x\\policy.yaml::$DATA'}\n",
	  "2:25: service.metrics_file contains ':' after the drive (a data "
	  "stream or a device)" },
	{ "yes is not a boolean", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    takeover: yes\n",
	  "6:15: takeover must be true or false, not 'yes'" },
	{ "quoted true is not a boolean", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    options: {disable_http2: 'true'}\n",
	  "6:30: options.disable_http2 must be true or false, not 'true'" },
	{ "option misspelt", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    options: {disable_http: true}\n",
	  "6:15: unknown key 'disable_http' in options (did you mean "
	  "'disable_http2'?)" },
	{ "freshness must be whole seconds", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    options: {revocation_freshness_time: 1500ms}\n",
	  "6:42: options.revocation_freshness_time must be whole seconds" },
	{ "ctl identifier too long", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    options: {ssl_ctl_store_name: "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
	  "6:35: options.ssl_ctl_store_name is longer than 63 bytes" },
	{ "bad thumbprint", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, thumbprints: [abc]}\n",
	  "5:40: a thumbprint must be 40 hex digits (spaces and colons are "
	  "ignored)" },
	{ "thumbprint with an invisible mark", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, thumbprints: "
	  "[\"\xe2\x80\x8e" "0101010101010101010101010101010101010101\"]}\n",
	  "5:40: thumbprint '\\xe2\\x80\\x8e"
	  "0101010101010101010101010101010101010101' "
	  "holds an invisible left-to-right mark (U+200E), as the Certificates "
	  "snap-in copies it; type the thumbprint again" },
	{ "thumbprints must be a list", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, thumbprints: "
	  "0101010101010101010101010101010101010101}\n",
	  "5:39: match.thumbprints must be a list of at least one thumbprint" },
	{ "issuer_thumbprints", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, issuer_thumbprints: "
	  "['0101010101010101010101010101010101010101', "
	  "'02:02:02:02:02:02:02:02:02:02:02:02:02:02:02:02:02:02:02:02']}\n",
	  NULL },
	{ "issuer_thumbprints must be a list", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, issuer_thumbprints: "
	  "0101010101010101010101010101010101010101}\n",
	  "5:46: match.issuer_thumbprints must be a list of at least one "
	  "thumbprint" },
	{ "bad issuer thumbprint", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, issuer_thumbprints: [abc]}\n",
	  "5:47: a thumbprint must be 40 hex digits (spaces and colons are "
	  "ignored)" },
	{ "min_days_left not a number", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, min_days_left: ten}\n",
	  "5:41: match.min_days_left must be a whole number from 0 to 3650" },
	{ "empty issuer", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, issuer: ''}\n",
	  "5:34: expected a non-empty string for match.issuer" },
	{ "options not a mapping", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    options: [disable_http2]\n",
	  "6:14: expected a mapping (key: value) for options" },
	{ "CCS is the ccs keyword", HEAD
	  "  - name: a\n    endpoint: CCS:443\n    match: {dns: a.test}\n",
	  "5:12: a ccs endpoint takes its certificates from the Central "
	  "Certificate Store; match does not apply to it" },
	{ "ccs and CCS are one endpoint", HEAD
	  "  - name: a\n    endpoint: ccs:443\n"
	  "  - name: b\n    endpoint: CCS:443\n",
	  "6:15: endpoint ccs:443 is already bound by 'a' (line 3)" },
	{ "host names differing in case are one endpoint", HEAD
	  "  - name: a\n    endpoint: WWW.example.test:443\n"
	  "  - name: b\n    endpoint: www.example.test:443\n",
	  "6:15: endpoint www.example.test:443 is already bound by 'a' "
	  "(line 3)" },
	{ "log keyword in capitals", HEAD
	  "  - name: a\n    endpoint: ccs:443\nservice: {log: StdErr}\n",
	  NULL },
	{ "trailing dot on an SNI host", HEAD
	  "  - name: a\n    endpoint: www.example.test.:443\n",
	  "4:15: endpoint 'www.example.test.:443': remove the trailing dot: "
	  "HTTP.sys keys SNI bindings by the name without it" },
	{ "NUL escape in an endpoint", HEAD
	  "  - name: a\n    endpoint: \"0.0.0.0:443\\0.junk\"\n"
	  "    match: {dns: a.test}\n",
	  "4:15: a NUL character (\\0) is not allowed in a policy" },
	{ "NUL escape in a mapping key", HEAD
	  "  - \"name\\0junk\": a\n    endpoint: ccs:443\n",
	  "3:5: a NUL character (\\0) is not allowed in a policy" },
	{ "NUL escape in cert_store", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "    options: {cert_store: \"My\\0WebHosting\"}\n",
	  "6:27: a NUL character (\\0) is not allowed in a policy" },
	{ "NUL escape in a thumbprint", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test, thumbprints: "
	  "[\"0101010101010101010101010101010101010101\\0ff\"]}\n",
	  "5:40: a NUL character (\\0) is not allowed in a policy" },
	{ "NUL escape in app_id", HEAD
	  "  - name: a\n    endpoint: ccs:1\n"
	  "defaults: {app_id: \"{11111111-2222-3333-4444-555555555555}\\0\"}\n",
	  "5:20: a NUL character (\\0) is not allowed in a policy" },
	{ "NUL escape in log", HEAD
	  "  - name: a\n    endpoint: ccs:1\nservice: {log: \"stderr\\0x\"}\n",
	  "5:16: a NUL character (\\0) is not allowed in a policy" },
	{ "control character in a quoted value is printed escaped", HEAD
	  "  - name: \"a\\e[2Jb\"\n    endpoint: 0.0.0.0:1\n",
	  "3:11: name 'a\\x1b[2Jb' may hold only letters, digits, '.', '_' "
	  "and '-'" },
	{ "control character in a key is printed escaped",
	  "version: 1\n\"ver\\tsion\": 1\n",
	  "2:1: unknown key 'ver\\x09sion' in the policy (did you mean "
	  "'version'?)" },
	{ "complex key refused", "? [a]\n: 1\n",
	  "1:3: a mapping key must be a plain name" },
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

	expect_policy(r->yaml, r->want);
}

/* The model a valid policy loads to. */
static void
test_model(void **state)
{
	const char *y = HEAD
	    "  - name: api\n    endpoint: '[2001:DB8::1]:8443'\n"
	    "    match: { dns: API.Example.Test. }\n";
	struct policy p;
	struct cb_error err;
	char ep[ENDPOINT_TEXT_MAX];

	(void)state;
	assert_int_equal(policy_parse("t.yaml", y, strlen(y), &p, &err), 0);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.nbindings, 1);
	assert_string_equal(p.bindings[0].name, "api");
	assert_string_equal(p.bindings[0].match.dns, "api.example.test");
	assert_string_equal(endpoint_format(&p.bindings[0].endpoint, ep,
	    sizeof(ep)), "[2001:db8::1]:8443");
	assert_int_equal(p.bindings[0].line, 3);
	/* What a policy leaves out. */
	assert_int_equal(p.defaults.renew_warning_days, 30);
	assert_int_equal(p.service.resync_ms, 3600000);
	assert_int_equal(p.service.debounce_ms, 50);
	assert_int_equal(p.service.log, LOG_EVENTLOG);
	assert_null(p.service.metrics_file);
	assert_memory_equal(p.bindings[0].app_id, CERTBIND_APP_ID, 16);
	assert_int_equal(p.bindings[0].store, STORE_MY);
	assert_false(p.bindings[0].takeover);
	assert_int_equal(p.bindings[0].options.set, 0);
	assert_int_equal(p.bindings[0].options.flag_mask, 0);
	policy_free(&p);
}

/* Defaults apply to bindings that do not say otherwise, wherever they are. */
static void
test_defaults_resolve(void **state)
{
	const char *y = "version: 1\nbindings:\n"
	    "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	    "  - name: b\n    endpoint: 0.0.0.0:2\n    match: {dns: b.test}\n"
	    "    options:\n      cert_store: my\n"
	    "      app_id: '{22222222-2222-3333-4444-555555555555}'\n"
	    "      verify_client_cert_revocation: false\n"
	    "      disable_http2: true\n      enable_session_ticket: false\n"
	    "      revocation_freshness_time: 10m\n"
	    "      url_retrieval_timeout: 1500ms\n"
	    "      ssl_ctl_identifier: Trusted\n"
	    "defaults: {store: WebHosting, "
	    "app_id: '{11111111-2222-3333-4444-555555555555}'}\n"
	    "service: {resync_interval: 2h, debounce: 0ms, log: stderr}\n";
	struct policy p;
	struct cb_error err;
	uint8_t g[16];
	const struct options *o;

	(void)state;
	assert_int_equal(policy_parse("t.yaml", y, strlen(y), &p, &err), 0);
	assert_int_equal(p.bindings[0].store, STORE_WEBHOSTING);
	guid_parse("{11111111-2222-3333-4444-555555555555}", g);
	assert_memory_equal(p.bindings[0].app_id, g, 16);
	assert_int_equal(p.bindings[1].store, STORE_MY);
	guid_parse("{22222222-2222-3333-4444-555555555555}", g);
	assert_memory_equal(p.bindings[1].app_id, g, 16);
	o = &p.bindings[1].options;
	assert_int_equal(o->check_mask, CHECK_NO_REVOCATION | CHECK_FRESHNESS_TIME);
	assert_int_equal(o->check_bits, CHECK_NO_REVOCATION | CHECK_FRESHNESS_TIME);
	assert_int_equal(o->flag_mask,
	    SSL_FLAG_DISABLE_HTTP2 | SSL_FLAG_ENABLE_SESSION_TICKET);
	assert_int_equal(o->flag_bits, SSL_FLAG_DISABLE_HTTP2);
	assert_int_equal(o->revocation_freshness, 600);
	assert_int_equal(o->url_timeout, 1500);
	assert_string_equal(o->ctl_identifier, "Trusted");
	assert_int_equal(o->set, OPT_APP_ID | OPT_CERT_STORE |
	    OPT_REVOCATION_FRESHNESS | OPT_URL_TIMEOUT | OPT_CTL_IDENTIFIER);
	assert_int_equal(p.service.resync_ms, 2 * 3600000);
	assert_int_equal(p.service.debounce_ms, 0);
	assert_int_equal(p.service.log, LOG_STDERR);
	policy_free(&p);
}

static void
collect_key(const char *path, void *arg)
{
	char *all = arg;

	strcat(all, path);
	strcat(all, "\n");
}

/* The key list the schema test compares against config/certbind.schema.json. */
static void
test_keys(void **state)
{
	static char all[4096];

	(void)state;
	all[0] = '\0';
	policy_keys(collect_key, all);
	assert_non_null(strstr(all, "\nversion\n") ? strstr(all,
	    "\nversion\n") : (strncmp(all, "version\n", 8) == 0 ? all : NULL));
	assert_non_null(strstr(all, "\ndefaults.renew_warning_days\n"));
	assert_non_null(strstr(all, "\nservice.metrics_file\n"));
	assert_non_null(strstr(all, "\nbindings[].match.thumbprints\n"));
	assert_non_null(strstr(all, "\nbindings[].match.issuer_thumbprints\n"));
	assert_non_null(strstr(all, "\nbindings[].options.disable_session_id\n"));
	assert_non_null(strstr(all, "\nbindings[].takeover\n"));
}

/* A file over 1 MiB is refused before parsing. */
static void
test_too_large(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *big = malloc(n);
	struct policy p;
	struct cb_error err;

	(void)state;
	memset(big, '#', n);
	assert_int_equal(policy_parse("t.yaml", big, n, &p, &err), -1);
	assert_non_null(strstr(err.msg, "at most 1048576 bytes"));
	free(big);
}

/* A policy in UTF-16 or UTF-32, and UTF-8 with its optional mark. */
struct encoding_row {
	const char *name;
	const char *bom;
	size_t bomlen;
	int unit;           /* bytes per character: 1, 2 or 4 */
	bool big_endian;
	const char *want;   /* error after "t.yaml:", or NULL when it loads */
};

static const struct encoding_row encoding_rows[] = {
	{ "UTF-8", "", 0, 1, false, NULL },
	{ "UTF-8 with a byte order mark", "\xef\xbb\xbf", 3, 1, false, NULL },
	{ "UTF-16LE with a byte order mark", "\xff\xfe", 2, 2, false,
	  "1:1: the policy is UTF-16 text (it starts with a UTF-16 byte order "
	  "mark); save it as UTF-8" },
	{ "UTF-16BE with a byte order mark", "\xfe\xff", 2, 2, true,
	  "1:1: the policy is UTF-16 text (it starts with a UTF-16 byte order "
	  "mark); save it as UTF-8" },
	{ "UTF-32LE with a byte order mark", "\xff\xfe\0\0", 4, 4, false,
	  "1:1: the policy is UTF-32 text (it starts with a UTF-32 byte order "
	  "mark); save it as UTF-8" },
	{ "UTF-32BE with a byte order mark", "\0\0\xfe\xff", 4, 4, true,
	  "1:1: the policy is UTF-32 text (it starts with a UTF-32 byte order "
	  "mark); save it as UTF-8" },
	{ "UTF-16LE without a mark", "", 0, 2, false,
	  "1:2: control characters are not allowed (the policy must be UTF-8 "
	  "text)" },
};

static const char *
encoding_row_name(const void *row)
{
	return ((const struct encoding_row *)row)->name;
}

static void
test_encoding(void **state)
{
	const struct encoding_row *r = *state;
	const char *y = HEAD "  - name: a\n    endpoint: ccs:443\n";
	size_t n = strlen(y), len = r->bomlen, i;
	char *buf = calloc(r->bomlen + n * (size_t)r->unit, 1), got[600];
	struct policy p;
	struct cb_error err;
	int rc;

	assert_non_null(buf);
	memcpy(buf, r->bom, r->bomlen);
	for (i = 0; i < n; i++, len += (size_t)r->unit)
		buf[len + (r->big_endian ? (size_t)r->unit - 1 : 0)] = y[i];
	rc = policy_parse("t.yaml", buf, len, &p, &err);
	free(buf);
	if (r->want == NULL) {
		assert_int_equal(rc, 0);
		policy_free(&p);
		return;
	}
	assert_int_equal(rc, -1);
	cb_error_format(&err, got, sizeof(got));
	assert_string_equal(got + strlen("t.yaml:"), r->want);
}

/* An alias bomb fails at its first anchor, before any expansion. */
static void
test_alias_bomb(void **state)
{
	const char *y = "a: &a [x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	struct policy p;
	struct cb_error err;

	(void)state;
	assert_int_equal(policy_parse("t.yaml", y, strlen(y), &p, &err), -1);
	assert_int_equal(err.line, 1);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_defaults_resolve),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_alias_bomb),
	};
	int failed;

	failed = run_rows("policy table", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += run_rows("policy encodings", test_encoding,
	    (void *)encoding_rows, sizeof(encoding_rows[0]),
	    NROWS(encoding_rows), encoding_row_name);
	failed += cmocka_run_group_tests_name("policy", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
