/*
 * apply.h - one reconcile: policy -> inventory -> plan -> HTTP.sys.
 */
#ifndef CERTBIND_APPLY_H
#define CERTBIND_APPLY_H

/* Exit codes of `certbind apply`, documented in README.md. */
enum {
	APPLY_OK = 0,          /* every binding holds its certificate, or was
	                          left for lack of a candidate */
	APPLY_ERROR = 1        /* bad policy (nothing changed) or a failed call */
};

/* Load the policy at path, bring HTTP.sys in line, report; an exit code. */
int apply_run(const char *path);

#endif
