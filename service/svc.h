/*
 * svc.h - certbind under the Service Control Manager.
 */
#ifndef CERTBIND_SVC_H
#define CERTBIND_SVC_H

/* The default policy path for `service install` without --config. */
#include <stdbool.h>

#define SVC_DEFAULT_CONFIG "C:\\ProgramData\\certbind\\policy.yaml"

/* `service run`: the SCM's entry; returns when the service stops. */
int svc_run(const char *config, bool allow_insecure);

/* `service install|uninstall|reload`: exit codes, 0 on success. */
int svc_install(const char *config, bool allow_insecure);
int svc_uninstall(void);

/*
 * `service configure`: the service's delayed start, failure actions and
 * preshutdown timeout (svcconfig.c), where they differ.  0 also when
 * Windows refused some of them (a warning says which); 1 when the
 * service cannot be opened.
 */
int svc_configure(void);
int svc_reload(void);

#endif
