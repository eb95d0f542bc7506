/*
 * fileid.h - which file a path names: its volume and file id.  Two paths
 * name the same file or folder exactly when these are equal, whatever
 * the spelling (short 8.3 names, hard links, links, case).
 */
#ifndef CERTBIND_FILEID_H
#define CERTBIND_FILEID_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

struct file_id {
	uint64_t volume;
	uint8_t id[16];
};

/* The id of the file or folder at path; false when it cannot be opened. */
bool file_id_of(const wchar_t *path, struct file_id *out);

bool file_id_equal(const struct file_id *a, const struct file_id *b);

#endif
