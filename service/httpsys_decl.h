/*
 * httpsys_decl.h - HTTP Server API declarations that mingw-w64's http.h
 * lacks, written from the Windows SDK documentation.
 *
 * HttpUpdateServiceConfiguration appeared in Windows 10 1703 / Server
 * 2016 (1709 SAC); certbind looks it up with GetProcAddress so that the
 * same binary runs, without atomic updates, on Windows Server 2012 R2.
 */
#ifndef CERTBIND_HTTPSYS_DECL_H
#define CERTBIND_HTTPSYS_DECL_H

#include <windows.h>
#include <http.h>

typedef ULONG (WINAPI *http_update_fn)(HANDLE handle,
    HTTP_SERVICE_CONFIG_ID config_id, PVOID config, ULONG config_length,
    LPOVERLAPPED overlapped);

#endif
