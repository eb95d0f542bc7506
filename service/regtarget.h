/*
 * regtarget.h - the registry values the Remote Desktop listener and SQL
 * Server read their certificate from.
 */
#ifndef CERTBIND_REGTARGET_H
#define CERTBIND_REGTARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/cert.h"
#include "../core/error.h"
#include "../core/policy.h"

/* RDP-Tcp's SSLCertificateSHA1Hash (REG_BINARY, 20 bytes). */
uint32_t rdp_read(uint8_t thumb[THUMB_LEN], bool *present);
uint32_t rdp_write(const uint8_t thumb[THUMB_LEN]);
uint32_t rdp_clear(void);          /* delete the value: self-signed again */

/* The computer's DNS name (malloc'd), rdp's default match.dns. */
char *rdp_default_dns(void);

/* A SQL Server instance, as the registry and the SCM describe it. */
struct sql_instance {
	char *name;                    /* MSSQLSERVER, or the named one's */
	char *id;                      /* MSSQL16.MSSQLSERVER */
	char *service;                 /* MSSQLSERVER or MSSQL$NAME */
	char *account;                 /* the service's account, or NULL */
};

/* ERROR_FILE_NOT_FOUND: no such instance installed. */
uint32_t sql_find(const char *instance, struct sql_instance *out);
void sql_instance_free(struct sql_instance *in);

/*
 * The installed instances' names (Instance Names\SQL's value names, as
 * printable text: core/text.h), malloc'd; none, and no error, when SQL
 * Server is not installed.
 */
uint32_t sql_instances(char ***names, size_t *n);
void sql_names_free(char **names, size_t n);

/* SuperSocketNetLib's Certificate (REG_SZ, lower-case hex); an empty or
 * missing value is *present false. */
uint32_t sql_read(const struct sql_instance *in, uint8_t thumb[THUMB_LEN],
    bool *present);
uint32_t sql_write(const struct sql_instance *in,
    const uint8_t thumb[THUMB_LEN]);
uint32_t sql_clear(const struct sql_instance *in);

/* Every sqlserver binding's instance is installed; else -1 with err at
 * the binding's line:col. */
int sql_check(const char *file, const struct policy *p, struct cb_error *err);

#endif
