/*
 * scm.h - small Service Control Manager helpers shared by the adapters
 * that read a service's configuration (regtarget.c) and restart services
 * (svcrestart.c).
 */
#ifndef CERTBIND_SCM_H
#define CERTBIND_SCM_H

#include <windows.h>

/*
 * The configuration of svc (opened with SERVICE_QUERY_CONFIG), whole, in
 * a malloc'd *qsc; 0 or a Win32 error, *qsc NULL then.
 */
DWORD scm_config(SC_HANDLE svc, QUERY_SERVICE_CONFIGW **qsc);

#endif
