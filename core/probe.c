/*
 * probe.c - the per-binding outcomes of the TLS check as text and JSON;
 * see probe.h.  Details come from Windows (its error texts) and names
 * from the policy, so both are escaped (text.h) before they are printed.
 */
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "text.h"
#include "textbuf.h"

bool
probe_failed(const struct probe_list *l)
{
	struct verify_action a;
	size_t i;

	for (i = 0; i < l->n; i++) {
		verify_decide(l->rows[i].outcome, false, &a);
		if (a.failure)
			return true;
	}
	return false;
}

/* A text as a JSON string, escaped for people first. */
static void
json_string(struct textbuf *b, const char *s)
{
	char *safe = text_escape_str(s, TEXT_BACKSLASH);
	const char *p;

	if (safe == NULL) {
		b->failed = true;
		return;
	}
	textbuf_add(b, "\"", 1);
	for (p = safe; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			textbuf_add(b, "\\", 1);
		textbuf_add(b, p, 1);
	}
	textbuf_add(b, "\"", 1);
	free(safe);
}

/* A policy name or detail for a line of text: escaped, never NULL. */
static void
plain(struct textbuf *b, const char *s)
{
	char *safe = text_escape_str(s, 0);

	if (safe == NULL) {
		b->failed = true;
		return;
	}
	textbuf_printf(b, "%s", safe);
	free(safe);
}

static char *
finish(struct textbuf *b)
{
	if (b->failed || b->s == NULL) {
		textbuf_free(b);
		return NULL;
	}
	return b->s;
}

char *
probe_text(const struct probe_list *l)
{
	struct textbuf b = { 0 };
	size_t i;

	textbuf_printf(&b, "%s", "");
	for (i = 0; i < l->n; i++) {
		const struct probe_row *r = &l->rows[i];

		plain(&b, r->binding);
		textbuf_printf(&b, " (%s): %s: ", r->endpoint,
		    verify_outcome_name(r->outcome));
		plain(&b, r->detail);
		textbuf_printf(&b, "\n");
	}
	return finish(&b);
}

char *
probe_json_array(const struct probe_list *l)
{
	struct textbuf b = { 0 };
	size_t i;

	textbuf_printf(&b, "[");
	for (i = 0; i < l->n; i++) {
		const struct probe_row *r = &l->rows[i];

		textbuf_printf(&b, "%s\n    {\"binding\": ", i ? "," : "");
		json_string(&b, r->binding);
		textbuf_printf(&b, ", \"endpoint\": ");
		json_string(&b, r->endpoint);
		textbuf_printf(&b, ", \"outcome\": \"%s\", \"detail\": ",
		    verify_outcome_name(r->outcome));
		json_string(&b, r->detail);
		textbuf_printf(&b, "}");
	}
	textbuf_printf(&b, "%s]", l->n ? "\n  " : "");
	return finish(&b);
}

void
probe_free(struct probe_list *l)
{
	free(l->rows);
	memset(l, 0, sizeof(*l));
}
