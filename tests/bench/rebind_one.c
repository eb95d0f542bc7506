/*
 * rebind_one.c - one binding rebound the way scripts do it today, for the
 * comparison in `make bench`.
 *
 *   rebind_one ENDPOINT THUMBPRINT
 *
 * ENDPOINT is ipv4:port (an IP binding) or host:port (an SNI binding).
 * As a `netsh http delete sslcert` + `netsh http add sslcert` pair in a
 * renewal script does, one process per binding: HttpInitialize, delete
 * whatever record the endpoint has (none is fine), set a new one naming
 * the certificate in LocalMachine\My, HttpTerminate.  Exits 0 when the Set
 * succeeded.
 */
#include "../../service/httpsys_decl.h"

#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Any application id: this is not certbind's record. */
static const GUID app_id = { 0x0a1b2c3d, 0x4e5f, 0x6071,
    { 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9 } };

static int
parse_hex(const wchar_t *hex, BYTE hash[20])
{
	int i;

	if (wcslen(hex) != 40)
		return -1;
	for (i = 0; i < 20; i++) {
		wchar_t pair[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		if (!iswxdigit(pair[0]) || !iswxdigit(pair[1]))
			return -1;
		hash[i] = (BYTE)wcstoul(pair, NULL, 16);
	}
	return 0;
}

static void
fill_params(HTTP_SERVICE_CONFIG_SSL_PARAM *p, BYTE *hash)
{
	p->pSslHash = hash;
	p->SslHashLength = 20;
	p->pSslCertStoreName = L"MY";
	p->AppId = app_id;
}

/* Delete then Set one record; the Set's result. */
static ULONG
rebind_ip(const wchar_t *ip, USHORT port, BYTE *hash)
{
	HTTP_SERVICE_CONFIG_SSL_SET set;
	SOCKADDR_IN addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (InetPtonW(AF_INET, ip, &addr.sin_addr) != 1)
		return ERROR_INVALID_PARAMETER;
	memset(&set, 0, sizeof(set));
	set.KeyDesc.pIpPort = (PSOCKADDR)&addr;
	fill_params(&set.ParamDesc, hash);
	HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo, &set,
	    sizeof(set), NULL);
	return HttpSetServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo,
	    &set, sizeof(set), NULL);
}

static ULONG
rebind_sni(wchar_t *host, USHORT port, BYTE *hash)
{
	HTTP_SERVICE_CONFIG_SSL_SNI_SET set;
	SOCKADDR_IN *addr = (SOCKADDR_IN *)&set.KeyDesc.IpPort;

	memset(&set, 0, sizeof(set));
	addr->sin_family = AF_INET;      /* 0.0.0.0, as SNI keys must be */
	addr->sin_port = htons(port);
	set.KeyDesc.Host = host;
	fill_params(&set.ParamDesc, hash);
	HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &set, sizeof(set), NULL);
	return HttpSetServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &set, sizeof(set), NULL);
}

int
wmain(int argc, wchar_t **argv)
{
	HTTPAPI_VERSION v = HTTPAPI_VERSION_1;
	wchar_t *colon;
	BYTE hash[20];
	IN_ADDR probe;
	USHORT port;
	ULONG rc;

	if (argc != 3 || (colon = wcsrchr(argv[1], L':')) == NULL ||
	    parse_hex(argv[2], hash) != 0) {
		fprintf(stderr, "usage: rebind_one IP:PORT|HOST:PORT THUMBPRINT\n");
		return 2;
	}
	*colon = L'\0';
	port = (USHORT)wcstoul(colon + 1, NULL, 10);
	if ((rc = HttpInitialize(v, HTTP_INITIALIZE_CONFIG, NULL)) != NO_ERROR) {
		fprintf(stderr, "rebind_one: HttpInitialize: %lu\n", rc);
		return 1;
	}
	if (InetPtonW(AF_INET, argv[1], &probe) == 1)
		rc = rebind_ip(argv[1], port, hash);
	else
		rc = rebind_sni(argv[1], port, hash);
	HttpTerminate(HTTP_INITIALIZE_CONFIG, NULL);
	if (rc != NO_ERROR) {
		fprintf(stderr, "rebind_one: Set %ls: %lu\n", argv[1], rc);
		return 1;
	}
	return 0;
}
