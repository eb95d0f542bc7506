/*
 * keyprobe.h - can a certificate's private key be opened?
 *
 * The matcher passes over a certificate without a usable key (store.c),
 * and the test suite's stand-in HTTP.sys refuses one with error 1312 as
 * Windows does; both ask this one question the same way.
 */
#ifndef CERTBIND_KEYPROBE_H
#define CERTBIND_KEYPROBE_H

#include <windows.h>
#include <wincrypt.h>
#include <stdbool.h>

/* The key of ctx opens, silently (no UI), for the calling account. */
bool key_usable(PCCERT_CONTEXT ctx);

#endif
