/*
 * ascii.h - the few ASCII helpers several core/ files need.
 *
 * Policy keys, host names, GUIDs and store names are compared in ASCII
 * only, whatever the C locale says; these helpers never consult it.
 */
#ifndef CERTBIND_ASCII_H
#define CERTBIND_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* The value of a hex digit, or -1. */
int ascii_hexval(int c);

/* a and b are equal, ignoring ASCII case. */
bool ascii_equal_nocase(const char *a, const char *b);

/* strcmp ignoring ASCII case: <0, 0 or >0. */
int ascii_compare_nocase(const char *a, const char *b);

/* The n bytes at a and b are equal, ignoring ASCII case. */
bool ascii_nequal_nocase(const char *a, const char *b, size_t n);

#endif
