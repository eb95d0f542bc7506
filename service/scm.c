/*
 * scm.c - small Service Control Manager helpers; see scm.h.
 *
 * QueryServiceConfigW says how much room it needs (ERROR_INSUFFICIENT_BUFFER
 * and pcbBytesNeeded, 8 KB at most); the configuration may change between
 * the two calls, so the size is asked again a few times.
 */
#include <stdlib.h>

#include "scm.h"

#define CONFIG_TRIES 3

DWORD
scm_config(SC_HANDLE svc, QUERY_SERVICE_CONFIGW **qsc)
{
	DWORD need = sizeof(**qsc), rc = ERROR_INSUFFICIENT_BUFFER;
	int tries;

	*qsc = NULL;
	for (tries = 0; tries < CONFIG_TRIES &&
	    rc == ERROR_INSUFFICIENT_BUFFER; tries++) {
		void *p = realloc(*qsc, need);

		if (p == NULL) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		*qsc = p;
		rc = QueryServiceConfigW(svc, *qsc, need, &need) ?
		    ERROR_SUCCESS : GetLastError();
		if (need < sizeof(**qsc))
			need = sizeof(**qsc);
	}
	if (rc != ERROR_SUCCESS) {
		free(*qsc);
		*qsc = NULL;
	}
	return rc;
}
