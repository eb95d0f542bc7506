/*
 * pending.h - service restarts that wait for their binding's restart
 * window: when each one is due, and how `status` shows them.
 *
 * Pure: the caller reads the list (service/restarts.c keeps it in the
 * registry) and passes the time and the local time of day.
 */
#ifndef CERTBIND_PENDING_H
#define CERTBIND_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct pending_restart {
	char *service;                 /* the service to restart */
	char *binding;                 /* the binding whose change asked */
	bool has_window;               /* the binding has a restart window */
	struct window window;          /* ... this one */
	int64_t due;                   /* UTC seconds; <= now: due */
};

struct pending_list {
	struct pending_restart *v;
	size_t n;
};

/*
 * When a restart that waits for w (NULL: none) may run, at UTC time now
 * and local time of day tod_ms: now inside the window or without one,
 * else now plus the wait, rounded up to the second.
 */
int64_t pending_due(const struct window *w, int64_t now, int64_t tod_ms);

/* Add service for binding (copies); -1 without memory. */
int pending_add(struct pending_list *l, const char *service,
    const char *binding);

/*
 * Each entry's window and due time, from its binding in p (none when the
 * policy no longer has that binding: then it is due now).
 */
void pending_resolve(struct pending_list *l, const struct policy *p,
    int64_t now, int64_t tod_ms);

/* The binding named in p, or NULL. */
const struct binding *pending_binding(const struct policy *p,
    const char *name);

/* "restart pending: ...\n" lines, malloc'd ("" for none); NULL without
 * memory. */
char *pending_text(const struct pending_list *l, int64_t now);

/* [{"service": ..., "binding": ..., "window": ..., "due": ...}], malloc'd;
 * NULL without memory. */
char *pending_json_array(const struct pending_list *l);

void pending_free(struct pending_list *l);

#endif
