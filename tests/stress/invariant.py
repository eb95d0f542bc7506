#!/usr/bin/env python3
"""invariant.py - replay the stand-in's trace log and check, after every
call, what certbind promises about the records it keeps.

The stand-in httpapi.dll (tests/httpapi/httpapi.c) appends one line per
call to C:\\httpapi-trace.log when that file exists:

    MICROSECONDS PID CALL KIND KEY RESULT HASH

The stress parts add lines of their own, beginning with "#", between the
runs of certbind (never while one runs):

    # case NAME            what follows belongs to case NAME
    # declare KIND KEY     the policy declares this record
    # rank HASH N          the certificate's rank: higher is better
    # state KIND KEY HASH  the test bound KEY itself ("-": no hash)
    # forget KIND KEY      the test removed KEY itself
    # expect KIND KEY HASH KEY must hold HASH now ("absent": no record)

The replay keeps each record's state and checks, at every call:

  lost   a declared record that a Delete removed stays absent across any
         call but those of the process that deleted it on that record
         (its Sets, the restore's included, and a Query it makes to see
         whether the record is there): one Delete->Set pair; or it is
         absent at the end;
  wrong  a Set or Update leaves a record on a certificate ranked below
         the one it held before (or on one the test never made);
  expect a record differs from what an "# expect" line says;
  desync a Query returned something other than the replayed state (the
         trace is incomplete: the test's own fault, reported as such).

Usage: invariant.py TRACE [--rows FILE SECTION]
Prints one line per violation and a summary; exits 1 on any violation.
"""
import sys


class Replay:
    def __init__(self):
        self.case = "-"
        self.declared = set()
        self.rank = {}
        self.present = {}      # (kind, key) -> hash, for present records
        self.last = {}         # (kind, key) -> the last hash it held
        self.window = None     # (kind, key, since, pid) after a Delete
        self.lost_keys = set() # declared records counted lost, still absent
        self.calls = 0
        self.lost = self.wrong = self.expect = self.desync = 0
        self.longest_us = 0
        self.cases_failed = set()

    def fail(self, what, text):
        setattr(self, what, getattr(self, what) + 1)
        self.cases_failed.add(self.case)
        print("%s %s: %s" % (what, self.case, text))

    def lose(self, k, why):
        if k in self.declared and k not in self.lost_keys:
            self.lost_keys.add(k)
            self.fail("lost", "%s %s %s" % (k[0], k[1], why))

    def worse(self, k, new):
        if new == "-":
            return False
        if self.rank and new not in self.rank:
            return True
        old = self.last.get(k)
        if old is None or old == "-" or old not in self.rank:
            return False
        return self.rank[new] < self.rank[old]

    def directive(self, words):
        op = words[0] if words else ""
        if op == "case":
            self.case = " ".join(words[1:])
        elif op == "declare":
            self.declared.add((words[1], words[2]))
        elif op == "rank":
            self.rank[words[1]] = int(words[2])
        elif op == "state":
            k = (words[1], words[2])
            self.present[k] = words[3]
            self.last[k] = words[3]
            self.lost_keys.discard(k)
        elif op == "forget":
            k = (words[1], words[2])
            self.present.pop(k, None)
            self.last.pop(k, None)
            self.lost_keys.discard(k)
        elif op == "expect":
            k = (words[1], words[2])
            got = self.present.get(k, "absent")
            if got != words[3]:
                self.fail("expect", "%s %s holds %s, not %s"
                          % (k[0], k[1], got, words[3]))

    def close_window(self, t):
        kind, key, since, _ = self.window
        self.longest_us = max(self.longest_us, t - since)
        self.window = None

    def call(self, t, pid, name, kind, key, rc, h):
        k = (kind, key)
        self.calls += 1
        if self.window is not None:
            wk = self.window[:2]
            if k == wk and pid == self.window[3] and name in ("Set", "Query"):
                pass
            else:
                self.lose(wk, "absent after its Delete across %s %s %s"
                          % (name, kind, key))
                self.close_window(t)
        ok = rc == 0
        if name in ("Query", "QueryNext") and ok:
            if self.present.get(k) != h:
                self.fail("desync", "%s %s returned %s, replay has %s"
                          % (kind, key, h, self.present.get(k, "absent")))
                self.present[k] = h
        elif name == "Delete" and ok:
            self.present.pop(k, None)
            if k in self.declared:
                self.window = (kind, key, t, pid)
        elif name in ("Set", "Update") and ok:
            if self.worse(k, h):
                self.fail("wrong", "%s %s moved from %s to %s"
                          % (kind, key, self.last.get(k, "-"), h))
            self.present[k] = h
            self.last[k] = h
            self.lost_keys.discard(k)
            if self.window is not None and self.window[:2] == k:
                self.close_window(t)

    def end(self):
        if self.window is not None:
            self.lose(self.window[:2], "absent after its Delete at the end")
        for k in sorted(self.declared):
            if k in self.last and k not in self.present:
                self.lose(k, "absent at the end")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: invariant.py TRACE [--rows FILE SECTION]\n")
        return 2
    r = Replay()
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip().replace("\r", "")
            if not line:
                continue
            w = line.split()
            if w[0] == "#":
                r.directive(w[1:])
                continue
            if len(w) != 7:
                r.fail("desync", "line %d is not a trace line: %r" % (n, line))
                continue
            r.call(int(w[0]), w[1], w[2], w[3], w[4], int(w[5]), w[6])
    r.end()
    print("calls %d lost %d wrong %d expect %d desync %d cases-failed %d "
          "longest-absence-ms %d"
          % (r.calls, r.lost, r.wrong, r.expect, r.desync,
             len(r.cases_failed), r.longest_us // 1000))
    if len(argv) >= 5 and argv[2] == "--rows":
        with open(argv[3], "a") as rows:
            for measure, value in (("calls checked", r.calls),
                                   ("bindings lost", r.lost),
                                   ("wrong certificates bound", r.wrong),
                                   ("longest absence (ms)",
                                    r.longest_us // 1000)):
                rows.write("%s\t%s\t%d\n" % (argv[4], measure, value))
    return 1 if r.lost or r.wrong or r.expect or r.desync else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
