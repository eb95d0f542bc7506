/*
 * winpath.h - Windows paths taken from the policy, judged as text.
 *
 * The policy is a security boundary: service.metrics_file says where a
 * LocalSystem service writes.  What can be decided from the text alone is
 * decided here (is it absolute, does it name a data stream or a folder,
 * is it the policy file spelled another way); what only the file system
 * knows (8.3 names, links, an existing folder) is checked by
 * service/policyfile.c.
 */
#ifndef CERTBIND_WINPATH_H
#define CERTBIND_WINPATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The path as Win32 resolves an absolute path: "/" read as "\", the
 * \\?\ and \\.\ prefixes dropped (\\?\UNC\s\x is \\s\x), empty and "."
 * components dropped, ".." taking one away (never the root), trailing
 * dots and spaces cut from each component.  "C:\dir\file" or
 * "\\server\share\dir\file", case kept.  NULL when path is not absolute
 * (drive-absolute or UNC) or out of memory, which winpath_absolute()
 * tells apart; the caller frees the result.
 *
 * This is not quite Win32: Win32 leaves a \\?\ path as it is, and cuts
 * trailing dots and spaces from the last component only, while this
 * rewrites \\?\ paths too and cuts them from every component.  That is
 * safe only because service/longpath.c opens the normalised path itself
 * (with the \\?\ prefix, so the file system sees exactly that text): the
 * file certbind judges is the file it writes.  Do not compare a
 * normalised path with one opened as given.
 */
char *winpath_normalize(const char *path);

/*
 * The path is one winpath_normalize() takes: drive-absolute, or UNC with
 * a server and a share.  Allocates nothing, so that a NULL from
 * winpath_normalize() on such a path means out of memory, never "not
 * absolute".
 */
bool winpath_absolute(const char *path);

/* a and b name the same path once normalized, ignoring ASCII case. */
bool winpath_same(const char *a, const char *b);

/*
 * May metrics be the metrics file of the policy at policy_path (absolute,
 * or NULL when unknown)?  0, or -1 with the reason in why ("is the policy
 * file", ...), to follow "service.metrics_file ".
 */
int winpath_check_metrics(const char *metrics, const char *policy_path,
    char *why, size_t len);

#endif
