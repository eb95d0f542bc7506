/*
 * pending.c - service restarts waiting for a restart window; see
 * pending.h.
 *
 * A wait is a timer, not a promise: the service sets its timer for the
 * due time, and when it fires, asks again with the local time as it is
 * then (window.c says why: the clocks may have changed meanwhile).
 */
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "pending.h"
#include "textbuf.h"
#include "window.h"

int64_t
pending_due(const struct window *w, int64_t now, int64_t tod_ms)
{
	int64_t wait;

	if (w == NULL || (wait = window_wait_ms(w, tod_ms)) == 0)
		return now;
	return now + (wait + 999) / 1000;
}

/* A malloc'd copy of s, or NULL (strdup is not C11). */
static char *
copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	return d != NULL ? memcpy(d, s, n) : NULL;
}

int
pending_add(struct pending_list *l, const char *service, const char *binding)
{
	struct pending_restart *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	l->v = v;
	memset(&v[l->n], 0, sizeof(v[l->n]));
	v[l->n].service = copy(service);
	v[l->n].binding = copy(binding);
	if (v[l->n].service == NULL || v[l->n].binding == NULL) {
		free(v[l->n].service);
		free(v[l->n].binding);
		return -1;
	}
	l->n++;
	return 0;
}

const struct binding *
pending_binding(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++)
		if (strcmp(p->bindings[i].name, name) == 0)
			return &p->bindings[i];
	return NULL;
}

void
pending_resolve(struct pending_list *l, const struct policy *p,
    int64_t now, int64_t tod_ms)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct pending_restart *r = &l->v[i];
		const struct binding *b = pending_binding(p, r->binding);

		r->has_window = b != NULL && b->has_restart_window;
		if (r->has_window)
			r->window = b->restart_window;
		r->due = pending_due(r->has_window ? &r->window : NULL, now,
		    tod_ms);
	}
}

char *
pending_text(const struct pending_list *l, int64_t now)
{
	struct textbuf b = { 0 };
	char win[16], t[21];
	size_t i;

	textbuf_printf(&b, "%s", "");
	for (i = 0; i < l->n; i++) {
		const struct pending_restart *r = &l->v[i];

		textbuf_printf(&b, "restart pending: service ");
		textbuf_plain(&b, r->service);
		textbuf_printf(&b, " after a change of binding ");
		textbuf_plain(&b, r->binding);
		if (r->due > now && r->has_window)
			textbuf_printf(&b, ", waits for the restart window %s "
			    "(local time), at %s\n", window_text(&r->window,
			    win, sizeof(win)), utc_time(r->due, t));
		else
			textbuf_printf(&b, ", due now (the service runs it)\n");
	}
	return textbuf_finish(&b);
}

char *
pending_json_array(const struct pending_list *l)
{
	struct textbuf b = { 0 };
	char win[16], t[21];
	size_t i;

	textbuf_printf(&b, "[");
	for (i = 0; i < l->n; i++) {
		const struct pending_restart *r = &l->v[i];

		textbuf_printf(&b, "%s\n    {\"service\": ", i ? "," : "");
		textbuf_json_string(&b, r->service);
		textbuf_printf(&b, ", \"binding\": ");
		textbuf_json_string(&b, r->binding);
		if (r->has_window)
			textbuf_printf(&b, ", \"window\": \"%s\"",
			    window_text(&r->window, win, sizeof(win)));
		else
			textbuf_printf(&b, ", \"window\": null");
		textbuf_printf(&b, ", \"due\": \"%s\"}", utc_time(r->due, t));
	}
	textbuf_printf(&b, "%s]", l->n ? "\n  " : "");
	return textbuf_finish(&b);
}

void
pending_free(struct pending_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].service);
		free(l->v[i].binding);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
