/*
 * svcconfig.h - the CertBind service's own settings in the Service
 * Control Manager, applied where they differ.
 */
#ifndef CERTBIND_SVCCONFIG_H
#define CERTBIND_SVCCONFIG_H

#include <windows.h>

/*
 * Access svcconfig_apply needs on the service handle: SERVICE_START too,
 * because the failure actions restart the service.
 */
#define SVCCONFIG_ACCESS (SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG | \
    SERVICE_START)

/*
 * Read each setting (description, delayed automatic start, restart on
 * failure, restart on a non-zero exit, preshutdown timeout) and write
 * only those that differ.  Settings Windows refuses, or accepts but does
 * not store, are named in one warning (event 305); the service runs
 * without them.  Returns how many settings are not as certbind wants.
 */
int svcconfig_apply(SC_HANDLE svc);

#endif
