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

char *
probe_text(const struct probe_list *l)
{
	struct textbuf b = { 0 };
	size_t i;

	textbuf_printf(&b, "%s", "");
	for (i = 0; i < l->n; i++) {
		const struct probe_row *r = &l->rows[i];

		textbuf_plain(&b, r->binding);
		textbuf_printf(&b, " (%s): %s: ", r->endpoint,
		    verify_outcome_name(r->outcome));
		textbuf_plain(&b, r->detail);
		textbuf_printf(&b, "\n");
	}
	return textbuf_finish(&b);
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
		textbuf_json_string(&b, r->binding);
		textbuf_printf(&b, ", \"endpoint\": ");
		textbuf_json_string(&b, r->endpoint);
		textbuf_printf(&b, ", \"outcome\": \"%s\", \"detail\": ",
		    verify_outcome_name(r->outcome));
		textbuf_json_string(&b, r->detail);
		textbuf_printf(&b, "}");
	}
	textbuf_printf(&b, "%s]", l->n ? "\n  " : "");
	return textbuf_finish(&b);
}

void
probe_free(struct probe_list *l)
{
	free(l->rows);
	memset(l, 0, sizeof(*l));
}
