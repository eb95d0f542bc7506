/*
 * out.c - stdout and stderr through a buffer; see out.h.
 *
 * Why not stdio: certbind.exe is built with __USE_MINGW_ANSI_STDIO, whose
 * printf hands msvcrt each character with fputc, and msvcrt does not
 * buffer stdout or stderr when they are a console: every character became
 * a WriteFile (a console round trip on Windows, a wineserver request
 * under Wine; 2,291 calls for a 20-binding apply).  Into a pipe or a file
 * msvcrt buffers, but eventlog.c flushed each line to keep stdout and
 * stderr in order: one call per line.
 *
 * Here each stream's text waits in memory and is written with one call
 * per flush: a report is one WriteFile.  The order of lines across the
 * two streams is kept by where they go (place()):
 *   PLACE_SAME       one console, object or file: one buffer, written
 *                    through stdout's handle;
 *   PLACE_APART      known to be different: two buffers;
 *   PLACE_UNKNOWN    two pipes, say, that may be one (2>&1 gives two
 *                    pipe objects under Wine, and Windows before 10 has
 *                    no way to compare them): what one stream holds is
 *                    written before text for the other is added.
 *
 * A console is written with WriteConsoleW, the documented way to show
 * Unicode there whatever its code page; anything else (pipe, file, NUL)
 * gets the UTF-8 bytes with WriteFile.
 */
#include <windows.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../core/textbuf.h"
#include "out.h"

/*
 * A stream's text is written once this much is held, and no more memory
 * is kept between writes; a report is added in one piece, so it is still
 * one write whatever its size.
 */
#define OUT_FLUSH_AT 65536
/* UTF-16 units per WriteConsoleW: older consoles fail much larger ones. */
#define CONSOLE_CHUNK 8192

enum place { PLACE_UNSET, PLACE_SAME, PLACE_APART, PLACE_UNKNOWN };

typedef BOOL (WINAPI *compare_fn)(HANDLE, HANDLE);

static SRWLOCK lock = SRWLOCK_INIT;   /* the loop and the SCM's threads */
static struct textbuf held[2];        /* by enum out_stream */
static enum place where;

static HANDLE
handle_of(enum out_stream s)
{
	return GetStdHandle(s == OUT_STDOUT ? STD_OUTPUT_HANDLE :
	    STD_ERROR_HANDLE);
}

static bool
is_console(HANDLE h)
{
	DWORD mode;

	return GetConsoleMode(h, &mode) != 0;
}

/*
 * The file on disk behind h, by volume and file ID; false for anything
 * else.  FileIdInfo rather than GetFileInformationByHandle, which needs
 * FILE_READ_ATTRIBUTES access that a handle opened for a redirection may
 * lack (Wine refuses it).
 */
static bool
file_id(HANDLE h, FILE_ID_INFO *id)
{
	return GetFileType(h) == FILE_TYPE_DISK &&
	    GetFileInformationByHandleEx(h, FileIdInfo, id, sizeof(*id));
}

/* Windows 10 and later: the two handles name one object. */
static bool
one_object(HANDLE a, HANDLE b)
{
	HMODULE base = GetModuleHandleW(L"kernelbase.dll");
	compare_fn compare = NULL;

	if (base != NULL)
		compare = (compare_fn)(void *)GetProcAddress(base,
		    "CompareObjectHandles");
	return compare != NULL && compare(a, b);
}

static enum place
place(void)
{
	HANDLE out = handle_of(OUT_STDOUT), err = handle_of(OUT_STDERR);
	FILE_ID_INFO x, y;
	bool fx, fy;

	if (out == NULL || out == INVALID_HANDLE_VALUE || err == NULL ||
	    err == INVALID_HANDLE_VALUE)
		return PLACE_APART;
	if (out == err || one_object(out, err))
		return PLACE_SAME;
	if (is_console(out) || is_console(err))
		/* A process has one console. */
		return is_console(out) && is_console(err) ? PLACE_SAME :
		    PLACE_APART;
	if (GetFileType(out) != GetFileType(err))
		return PLACE_APART;
	fx = file_id(out, &x);
	fy = file_id(err, &y);
	if (fx && fy)
		return x.VolumeSerialNumber == y.VolumeSerialNumber &&
		    memcmp(&x.FileId, &y.FileId, sizeof(x.FileId)) == 0 ?
		    PLACE_SAME : PLACE_APART;
	return PLACE_UNKNOWN;
}

/* All n bytes to a file or pipe; a short write is continued. */
static void
write_file(HANDLE h, const char *p, size_t n)
{
	DWORD done;

	while (n > 0) {
		DWORD chunk = n > 0x40000000 ? 0x40000000 : (DWORD)n;

		if (!WriteFile(h, p, chunk, &done, NULL) || done == 0)
			return;        /* a closed pipe: the text is dropped */
		p += done;
		n -= done;
	}
}

/* UTF-8 to a console as UTF-16, never splitting a surrogate pair. */
static void
write_console(HANDLE h, const char *p, size_t n)
{
	wchar_t *w;
	int len, at = 0;
	DWORD done;

	if (n > INT_MAX)
		return;
	len = MultiByteToWideChar(CP_UTF8, 0, p, (int)n, NULL, 0);
	if (len <= 0 || (w = malloc((size_t)len * sizeof(*w))) == NULL) {
		write_file(h, p, n);
		return;
	}
	MultiByteToWideChar(CP_UTF8, 0, p, (int)n, w, len);
	while (at < len) {
		int chunk = len - at > CONSOLE_CHUNK ? CONSOLE_CHUNK : len - at;

		if (chunk < len - at && IS_HIGH_SURROGATE(w[at + chunk - 1]))
			chunk--;
		if (!WriteConsoleW(h, w + at, (DWORD)chunk, &done, NULL) ||
		    done == 0)
			break;
		at += (int)done;
	}
	free(w);
}

static void
write_to(enum out_stream s, const char *p, size_t n)
{
	HANDLE h = handle_of(s);

	if (n == 0 || h == NULL || h == INVALID_HANDLE_VALUE)
		return;
	if (is_console(h))
		write_console(h, p, n);
	else
		write_file(h, p, n);
}

static void
flush_stream(enum out_stream s)
{
	write_to(s, held[s].s, held[s].len);
	textbuf_reset(&held[s], OUT_FLUSH_AT);
}

static void
add_locked(enum out_stream s, const char *text, size_t n)
{
	enum out_stream other = s == OUT_STDOUT ? OUT_STDERR : OUT_STDOUT;
	size_t before;

	if (where == PLACE_UNSET)
		where = place();
	if (where == PLACE_SAME)
		s = OUT_STDOUT;
	else if (where == PLACE_UNKNOWN && held[other].len > 0)
		flush_stream(other);
	before = held[s].len;
	textbuf_add_crlf(&held[s], text, n);
	if (held[s].failed) {
		/* Out of memory: what was held is written, then the text as
		 * it is, so that nothing is lost or written twice. */
		held[s].len = before;
		flush_stream(s);
		write_to(s, text, n);
	} else if (held[s].len >= OUT_FLUSH_AT)
		flush_stream(s);
}

void
out_puts(enum out_stream s, const char *text)
{
	AcquireSRWLockExclusive(&lock);
	add_locked(s, text, strlen(text));
	ReleaseSRWLockExclusive(&lock);
}

void
out_printf(enum out_stream s, const char *fmt, ...)
{
	struct textbuf line = { 0 };
	va_list ap;

	va_start(ap, fmt);
	textbuf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (line.failed)
		out_puts(OUT_STDERR, "certbind: out of memory for a message\n");
	else if (line.s != NULL)
		out_puts(s, line.s);
	textbuf_free(&line);
}

void
out_flush(void)
{
	AcquireSRWLockExclusive(&lock);
	flush_stream(OUT_STDOUT);
	flush_stream(OUT_STDERR);
	ReleaseSRWLockExclusive(&lock);
}
