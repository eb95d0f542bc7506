/*
 * initpolicy.h - `certbind init`: a policy that declares the SSL records
 * HTTP.sys has now.
 *
 * One binding per record, named from its endpoint, with match.dns from
 * the bound certificate's names (the host name of an SNI record), its
 * AppId and every option the policy can declare, so that `certbind plan`
 * on the result changes nothing where the bound certificate is still the
 * best choice.  A record that cannot be declared is written as a comment
 * with the reason.  Every value is hostile text (a host name, a CTL
 * identifier, a store name from HTTP.sys): the writer emits ASCII only,
 * each string double-quoted with every character that is not printable
 * ASCII escaped, and comments with every such byte as \xHH, so that the
 * file loads back with certbind's loader to exactly the values written
 * and nothing in a value can end a comment or start a key.
 */
#ifndef CERTBIND_INITPOLICY_H
#define CERTBIND_INITPOLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "record.h"

struct init_counts {
	size_t declared;               /* bindings written */
	size_t left_out;               /* records written as comments */
};

/*
 * The policy for records (and the records HTTP.sys has that could not be
 * read, broken), with the certificates of inv, written at time now;
 * malloc'd, NULL when out of memory.
 */
char *initpolicy_write(const struct ssl_record *records, size_t n,
    const struct broken_record *broken, size_t nbroken,
    const struct inventory *inv, int64_t now, struct init_counts *counts);

#endif
