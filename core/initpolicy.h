/*
 * initpolicy.h - `certbind init`: a policy that declares the SSL records
 * HTTP.sys has now, and the certificates the Remote Desktop listener and
 * SQL Server's instances name in the registry.
 *
 * One binding per record, named from its endpoint, with match.dns from
 * the bound certificate's names (the host name of an SNI record), its
 * AppId and every option the policy can declare, so that `certbind plan`
 * on the result changes nothing where the bound certificate is still the
 * best choice.  The RDP listener's value becomes an rdp binding, each SQL
 * Server instance's a sqlserver binding, with match.dns left out when the
 * certificate covers the computer's DNS name (their default).  A record
 * or value that cannot be declared is written as a comment with the
 * reason.  Every value is hostile text (a host name, a CTL identifier, a
 * store name from HTTP.sys, a SQL Server instance name from the
 * registry): the writer emits ASCII only, each string double-quoted with
 * every character that is not printable ASCII escaped, and comments with
 * every such byte as \xHH, so that the file loads back with certbind's
 * loader to exactly the values written and nothing in a value can end a
 * comment or start a key.
 */
#ifndef CERTBIND_INITPOLICY_H
#define CERTBIND_INITPOLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "policy.h"
#include "record.h"

struct init_counts {
	size_t declared;               /* bindings written */
	size_t left_out;               /* records and values written as
	                                  comments */
};

/*
 * A registry-backed consumer's value (target rdp or sqlserver) that is
 * set, or that cannot be read: one that is not set, or whose key is not
 * there (no listener, no such instance), has none.
 */
struct held_value {
	enum target_kind target;       /* TARGET_RDP or TARGET_SQLSERVER */
	const char *instance;          /* sqlserver: the instance's name as
	                                  the registry has it (hostile text);
	                                  NULL when the list of instances
	                                  cannot be read (problem says why).
	                                  A name a policy cannot hold is not
	                                  read: problem and thumb are not
	                                  looked at */
	const char *problem;           /* why the value cannot be read, or
	                                  NULL: thumb is what it names */
	uint8_t thumb[THUMB_LEN];
};

/* What init read on the server. */
struct init_input {
	const struct ssl_record *records;  /* HTTP.sys's SSL records */
	size_t n;
	const struct broken_record *broken; /* those it could not read */
	size_t nbroken;
	const struct held_value *values;
	size_t nvalues;
	const char *host_dns;          /* the computer's DNS name, what rdp
	                                  and sqlserver bindings match without
	                                  match.dns; NULL when not known */
	const struct inventory *inv;   /* the certificates of My and
	                                  WebHosting */
};

/*
 * The policy for in, written at time now; malloc'd, NULL when out of
 * memory.
 */
char *initpolicy_write(const struct init_input *in, int64_t now,
    struct init_counts *counts);

#endif
