/*
 * changenotes.c - the notes `certbind check` prints for restarts and key
 * access; see changenotes.h.
 */
#include <stdlib.h>
#include <string.h>

#include "changenotes.h"
#include "textbuf.h"
#include "window.h"

/* "a, b and c" from the names of list. */
static void
add_names(struct textbuf *t, const struct named *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		textbuf_printf(t, "%s%s", i == 0 ? "" : i + 1 < n ? ", " :
		    " and ", list[i].name);
}

/*
 * What b restarts and when.  A SQL Server binding restarts its
 * instance's service without being told: SQL Server reads its
 * certificate only when it starts.
 */
static void
note_restarts(struct textbuf *t, const struct binding *b)
{
	bool sql = b->target == TARGET_SQLSERVER;
	char w[16];

	if (b->nrestart_services == 0 && !sql)
		return;
	textbuf_printf(t, "note: binding '%s' restarts ", b->name);
	if (sql)
		textbuf_printf(t, "the service of SQL Server instance %s%s",
		    b->instance != NULL ? b->instance : "MSSQLSERVER",
		    b->nrestart_services > 0 ? " and " : "");
	add_names(t, b->restart_services, b->nrestart_services);
	if (b->has_restart_window)
		textbuf_printf(t, " after a change, in window %s (local "
		    "time)\n", window_text(&b->restart_window, w, sizeof(w)));
	else
		textbuf_printf(t, " after a change, at any time\n");
}

/* Whom b gives read access to the key of the certificate it moves to. */
static void
note_key_access(struct textbuf *t, const struct binding *b)
{
	if (b->nkey_access == 0 && !b->key_access_inherit)
		return;
	textbuf_printf(t, "note: binding '%s' gives read access to the "
	    "private key of each new certificate to ", b->name);
	add_names(t, b->key_access, b->nkey_access);
	if (b->key_access_inherit)
		textbuf_printf(t, "%sthe accounts allowed on the key it held "
		    "before", b->nkey_access > 0 ? " and " : "");
	textbuf_printf(t, "\n");
}

char *
change_notes(const struct policy *p)
{
	struct textbuf t;
	size_t i;

	memset(&t, 0, sizeof(t));
	textbuf_add(&t, "", 0);
	for (i = 0; i < p->nbindings; i++) {
		note_restarts(&t, &p->bindings[i]);
		note_key_access(&t, &p->bindings[i]);
	}
	if (t.failed || t.s == NULL) {
		textbuf_free(&t);
		return NULL;
	}
	return t.s;
}
