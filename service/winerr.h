/*
 * winerr.h - Win32 error codes as text for people.
 */
#ifndef CERTBIND_WINERR_H
#define CERTBIND_WINERR_H

#include <stddef.h>
#include <stdint.h>

/* "Access is denied" in UTF-8, the system's text alone; "" if it has
 * none. */
const char *win_message(uint32_t code, char *buf, size_t len);

/* "Access is denied. (error 5)" in UTF-8. */
const char *win_strerror(uint32_t code, char *buf, size_t len);

#endif
