/*
 * target_rdp.c - the rdp target: the Remote Desktop listener's
 * certificate, SSLCertificateSHA1Hash (REG_BINARY, 20 bytes) under
 * HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp
 * (regtarget.c).  That is the value Win32_TSGeneralSetting's
 * SSLCertificateSHA1Hash property writes (the WMI way:
 * Set-CimInstance on root\cimv2\TerminalServices, TerminalName
 * 'RDP-Tcp'); Wine has no Terminal Services WMI provider, so certbind
 * writes the value itself.  The listener reads it at each new
 * connection: no restart.  What it serves is not checked after a change.
 */
#include <windows.h>
#include <stdio.h>

#include "regtarget.h"
#include "target_reg.h"

static uint32_t
value_read(const struct binding *b, uint8_t thumb[THUMB_LEN], bool *present)
{
	(void)b;
	return rdp_read(thumb, present);
}

static uint32_t
value_write(const struct binding *b, const uint8_t thumb[THUMB_LEN])
{
	(void)b;
	return rdp_write(thumb);
}

static uint32_t
value_clear(const struct binding *b)
{
	(void)b;
	return rdp_clear();
}

static const struct reg_value rdp_value = {
	value_read, value_write, value_clear, &target_rdp
};

static uint32_t
rdp_target_read(const struct binding *b, struct target_read *out)
{
	return reg_read(&rdp_value, b, out);
}

static const char *
rdp_read_strerror(const struct binding *b, uint32_t err, char *buf,
    size_t len)
{
	char why[256];

	(void)b;
	if (err == ERROR_FILE_NOT_FOUND) {
		snprintf(buf, len, "there is no Remote Desktop listener (no key "
		    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server"
		    "\\WinStations\\RDP-Tcp)");
		return buf;
	}
	if (err == ERROR_INVALID_DATA) {
		snprintf(buf, len, "the value SSLCertificateSHA1Hash under "
		    "...\\WinStations\\RDP-Tcp is not a thumbprint "
		    "(REG_BINARY, 20 bytes)");
		return buf;
	}
	snprintf(buf, len, "%s", reg_strerror(err, why, sizeof(why)));
	return buf;
}

static int
rdp_recheck(struct plan *plan, size_t i, const struct unusable_list *avoid,
    const struct carry_ctx *c)
{
	return reg_recheck(&rdp_value, plan, i, avoid, c);
}

static int
rdp_apply(const struct plan_item *it, const struct carry_ctx *c)
{
	(void)c;
	return reg_apply(&rdp_value, it);
}

const struct target_ops target_rdp = {
	.kind = TARGET_RDP,
	.what = "the certificate of",
	.open_call = "opening the registry",
	.open = reg_open,
	.close = reg_nothing,
	.read = rdp_target_read,
	.read_strerror = rdp_read_strerror,
	.recheck = rdp_recheck,
	.apply = rdp_apply,
	.describe = binding_where,
	.restore = reg_nothing,
	.verifiable = false,
};
