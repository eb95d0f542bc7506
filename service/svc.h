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
int svc_reload(void);

#endif
