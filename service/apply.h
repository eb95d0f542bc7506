/*
 * apply.h - one reconcile: policy -> inventory -> plan -> HTTP.sys.
 */
#ifndef CERTBIND_APPLY_H
#define CERTBIND_APPLY_H

#include <stdbool.h>

/* Exit codes of `certbind apply`, documented in README.md. */
enum {
	APPLY_OK = 0,          /* every binding is as planned, or was left
	                          for lack of a candidate */
	APPLY_ERROR = 1,       /* bad policy (nothing changed) or a failed call */
	APPLY_CONFLICT = 3     /* nothing failed, but a binding was left in
	                          conflict with a record of another AppId */
};

/* Exit codes of `certbind plan`. */
enum {
	PLAN_NOTHING = 0,      /* HTTP.sys is as the policy wants */
	PLAN_ERROR = 1,
	PLAN_CHANGES = 2       /* apply would create or update records */
};

/* Load the policy at path, bring HTTP.sys in line, report; an exit code. */
int apply_run(const char *path);

/* Print what apply would do, as text or JSON; an exit code. */
int plan_run(const char *path, bool json, bool explain);

/* Print every SSL record HTTP.sys has against the policy; 0 or 1. */
int status_run(const char *path, bool json);

#endif
