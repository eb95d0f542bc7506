/*
 * init.h - `certbind init`: write a policy that declares the SSL records
 * HTTP.sys has now (core/initpolicy.h does the writing).
 */
#ifndef CERTBIND_INIT_H
#define CERTBIND_INIT_H

#include <stdbool.h>

/*
 * Print the policy, or write it to out (NULL: print): whole or not at
 * all, and over an existing file only with force.  0, or 1 on error.
 */
int init_run(const char *out, bool force);

#endif
