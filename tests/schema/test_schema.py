#!/usr/bin/env python3
"""test_schema.py - config/certbind.schema.json against core/'s loader.

The schema is for editors; the loader is what certbind runs.  They must
agree: every example policy passes both, the set of keys each accepts is
the same, and a table of bad policies is refused by both.  Output is TAP.
Needs python3-yaml and python3-jsonschema, and build/native/policycheck.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "build", "native", "policycheck")
SCHEMA = json.load(open(os.path.join(ROOT, "config", "certbind.schema.json")))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)

count = 0
failures = 0


def result(ok, what, detail=""):
    global count, failures
    count += 1
    if ok:
        print("ok %d - %s" % (count, what))
    else:
        failures += 1
        print("not ok %d - %s" % (count, what))
        for line in str(detail).splitlines():
            print("#   " + line)


def schema_errors(doc):
    return [e.message for e in VALIDATOR.iter_errors(doc)]


def loader_accepts(path):
    out = subprocess.run([CHECK, path], capture_output=True, text=True)
    return out.returncode == 0, out.stdout.strip()


def resolve(node):
    while "$ref" in node:
        node = SCHEMA["definitions"][node["$ref"].split("/")[-1]]
    return node


def schema_keys(node, prefix=""):
    node = resolve(node)
    keys = []
    for key, sub in node.get("properties", {}).items():
        keys.append(prefix + key)
        sub = resolve(sub)
        if sub.get("type") == "array" and "properties" in resolve(sub.get("items", {})):
            keys += schema_keys(sub["items"], prefix + key + "[].")
        elif "properties" in sub:
            keys += schema_keys(sub, prefix + key + ".")
    return keys


# Every example policy passes the schema and the loader.
for path in sorted(glob.glob(os.path.join(ROOT, "config", "examples", "*.yaml"))):
    name = os.path.relpath(path, ROOT)
    doc = yaml.safe_load(open(path))
    errors = schema_errors(doc)
    result(not errors, "schema accepts %s" % name, "\n".join(errors))
    ok, out = loader_accepts(path)
    result(ok, "loader accepts %s" % name, out)

# The loader and the schema know the same keys.
loader = subprocess.run([CHECK, "keys"], capture_output=True, text=True,
                        check=True).stdout.split()
schema = schema_keys(SCHEMA)
result(len(loader) > 30, "the loader lists its keys (%d)" % len(loader))
only_loader = sorted(set(loader) - set(schema))
only_schema = sorted(set(schema) - set(loader))
result(not only_loader, "every key the loader accepts is in the schema",
       "missing from the schema: %s" % only_loader)
result(not only_schema, "every key the schema allows is accepted by the loader",
       "unknown to the loader: %s" % only_schema)

# Bad policies: both refuse them.
BINDING = "version: 1\nbindings:\n  - name: a\n"
BAD = [
    ("unknown top-level key", "version: 1\nbindigs: []\n"),
    ("version 2", "version: 2\nbindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("no bindings", "version: 1\nbindings: []\n"),
    ("IP endpoint without match.dns", BINDING + "    endpoint: 0.0.0.0:443\n"),
    ("ccs endpoint with match", BINDING + "    endpoint: ccs:443\n"
     "    match: {dns: a.test}\n"),
    ("ccs endpoint with cert_store", BINDING + "    endpoint: ccs:443\n"
     "    options: {cert_store: My}\n"),
    ("bad duration", "version: 1\nservice: {debounce: 50}\n" +
     "bindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("bad store", "version: 1\ndefaults: {store: Root}\n" +
     "bindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("bad option type", BINDING + "    endpoint: ccs:443\n"
     "    options: {disable_http2: 1}\n"),
    ("unknown option", BINDING + "    endpoint: ccs:443\n"
     "    options: {disable_http: true}\n"),
    ("short thumbprint", BINDING + "    endpoint: www.a.test:443\n"
     "    match: {thumbprints: [abcd]}\n"),
    ("bad name", "version: 1\nbindings: [{name: 'a b', endpoint: 'ccs:443'}]\n"),
    ("verify_timeout over a minute", BINDING + "    endpoint: ccs:443\n"
     "    verify_timeout: 90s\n"),
    ("verify_timeout under a second", "version: 1\n"
     "defaults: {verify_timeout: 999ms}\n" +
     "bindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("verify not a boolean", BINDING + "    endpoint: ccs:443\n"
     "    verify: 'yes'\n"),
    ("relative metrics file", "version: 1\nservice: {metrics_file: m.prom}\n" +
     "bindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("restart window with one-digit hours", "version: 1\n"
     "defaults: {restart_window: '2:00-4:00'}\n" +
     "bindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("restart window that starts where it ends", "version: 1\n"
     "defaults: {restart_window: '03:00-03:00'}\n" +
     "bindings: [{name: a, endpoint: 'ccs:443'}]\n"),
    ("restart window hour 24", BINDING + "    endpoint: ccs:443\n"
     "    restart_services: [W3SVC]\n    restart_window: '23:00-24:00'\n"),
    ("restart window without restarts", BINDING + "    endpoint: ccs:443\n"
     "    restart_window: '02:00-04:00'\n"),
    ("no restart services", BINDING + "    endpoint: ccs:443\n"
     "    restart_services: []\n"),
    ("service name with a backslash", BINDING + "    endpoint: ccs:443\n"
     "    restart_services: ['a\\\\b']\n"),
    ("service name with a tab", BINDING + "    endpoint: ccs:443\n"
     "    restart_services: [\"a\\tb\"]\n"),
    ("service listed twice", BINDING + "    endpoint: ccs:443\n"
     "    restart_services: [W3SVC, W3SVC]\n"),
    ("key_access neither inherit nor a list", BINDING +
     "    endpoint: a.test:443\n    key_access: everyone\n"),
    ("key_access with a malformed SID", BINDING +
     "    endpoint: a.test:443\n    key_access: [S-1-5-2x]\n"),
    ("key_access with a zero-width space", BINDING +
     "    endpoint: a.test:443\n    key_access: [\"svc\\u200b\"]\n"),
    ("key_access on a ccs endpoint", BINDING + "    endpoint: ccs:443\n"
     "    key_access: inherit\n"),
    ("unknown target", BINDING + "    target: iis\n"),
    ("rdp with an endpoint", BINDING + "    target: rdp\n"
     "    endpoint: 0.0.0.0:3389\n"),
    ("sqlserver with options", BINDING + "    target: sqlserver\n"
     "    options: {disable_http2: true}\n"),
    ("rdp with verify: true", BINDING + "    target: rdp\n"
     "    verify: true\n"),
    ("instance on rdp", BINDING + "    target: rdp\n    instance: SQL1\n"),
    ("instance on httpsys", BINDING + "    endpoint: ccs:443\n"
     "    instance: SQL1\n"),
    ("instance with a backslash", BINDING + "    target: sqlserver\n"
     "    instance: 'A\\\\B'\n"),
    ("httpsys without endpoint", BINDING + "    target: httpsys\n"
     "    match: {dns: a.test}\n"),
]
with tempfile.TemporaryDirectory() as tmp:
    for what, text in BAD:
        path = os.path.join(tmp, "bad.yaml")
        with open(path, "w") as f:
            f.write(text)
        result(bool(schema_errors(yaml.safe_load(text))),
               "schema refuses: %s" % what)
        ok, out = loader_accepts(path)
        result(not ok, "loader refuses: %s" % what, out)

print("1..%d" % count)
sys.exit(1 if failures else 0)
