/*
 * httpsys_decl.h - HTTP Server API declarations that mingw-w64's http.h
 * lacks, written from the Windows SDK documentation.
 *
 * mingw-w64's http.h knows only the IP-keyed SSL records.  SNI records
 * (hostname:port) and Central Certificate Store records (ccs:port) arrived
 * with Windows 8 / Server 2012; their configuration IDs follow
 * HttpServiceConfigTimeout (3) and HttpServiceConfigCache (4) in the SDK's
 * HTTP_SERVICE_CONFIG_ID.  HttpUpdateServiceConfiguration appeared in
 * Windows 10 1703 / Server 2016 (1709 SAC); certbind looks it up with
 * GetProcAddress so that the same binary runs, without atomic updates, on
 * Windows Server 2012 R2.
 *
 * The test suite's stand-in httpapi.dll includes this header too, so the
 * two sides of the contract are compiled from one declaration.
 */
#ifndef CERTBIND_HTTPSYS_DECL_H
#define CERTBIND_HTTPSYS_DECL_H

#include <winsock2.h>
#include <windows.h>
#include <http.h>

#define HttpServiceConfigSslSniCertInfo ((HTTP_SERVICE_CONFIG_ID)5)
#define HttpServiceConfigSslCcsCertInfo ((HTTP_SERVICE_CONFIG_ID)6)

/* SNI: the port (address 0.0.0.0 or [::]) and the host name. */
typedef struct _HTTP_SERVICE_CONFIG_SSL_SNI_KEY {
	SOCKADDR_STORAGE IpPort;
	PWSTR Host;
} HTTP_SERVICE_CONFIG_SSL_SNI_KEY;

typedef struct _HTTP_SERVICE_CONFIG_SSL_SNI_SET {
	HTTP_SERVICE_CONFIG_SSL_SNI_KEY KeyDesc;
	HTTP_SERVICE_CONFIG_SSL_PARAM ParamDesc;
} HTTP_SERVICE_CONFIG_SSL_SNI_SET;

typedef struct _HTTP_SERVICE_CONFIG_SSL_SNI_QUERY {
	HTTP_SERVICE_CONFIG_QUERY_TYPE QueryDesc;
	HTTP_SERVICE_CONFIG_SSL_SNI_KEY KeyDesc;
	DWORD dwToken;
} HTTP_SERVICE_CONFIG_SSL_SNI_QUERY;

/* Central Certificate Store: the port (address 0.0.0.0). */
typedef struct _HTTP_SERVICE_CONFIG_SSL_CCS_KEY {
	SOCKADDR_STORAGE LocalAddress;
} HTTP_SERVICE_CONFIG_SSL_CCS_KEY;

typedef struct _HTTP_SERVICE_CONFIG_SSL_CCS_SET {
	HTTP_SERVICE_CONFIG_SSL_CCS_KEY KeyDesc;
	HTTP_SERVICE_CONFIG_SSL_PARAM ParamDesc;
} HTTP_SERVICE_CONFIG_SSL_CCS_SET;

typedef struct _HTTP_SERVICE_CONFIG_SSL_CCS_QUERY {
	HTTP_SERVICE_CONFIG_QUERY_TYPE QueryDesc;
	HTTP_SERVICE_CONFIG_SSL_CCS_KEY KeyDesc;
	DWORD dwToken;
} HTTP_SERVICE_CONFIG_SSL_CCS_QUERY;

typedef ULONG (WINAPI *http_update_fn)(HANDLE handle,
    HTTP_SERVICE_CONFIG_ID config_id, PVOID config, ULONG config_length,
    LPOVERLAPPED overlapped);

#endif
