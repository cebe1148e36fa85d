#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Verifies DKIM signatures with dkimpy, the way an independent receiver would.

usage: dkimpy-verify.py KEYS MESSAGE...
KEYS is a file of lines "NAME<TAB>TXT" (NAME = selector._domainkey.domain); the
records are served to dkimpy through its dnsfunc hook instead of DNS. With
KEYS = "dns:HOST:PORT" the records are asked of that DNS server instead.
Prints one line per signature: "MESSAGE INDEX pass|fail d=DOMAIN s=SELECTOR".
"""
import sys

import dkim


def records_from_file(path):
    table = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                name, txt = line.split("\t", 1)
                table[name.lower().rstrip(".")] = txt.encode("ascii")
    return table


def dnsfunc_for(spec):
    if spec.startswith("dns:"):
        import dns.resolver
        _, host, port = spec.split(":")
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host]
        resolver.port = int(port)
        resolver.lifetime = 5

        def ask(name, timeout=5):
            name = name.decode() if isinstance(name, bytes) else name
            try:
                answer = resolver.resolve(name, "TXT")
            except Exception:
                return None
            return b"".join(b"".join(r.strings) for r in answer)
        return ask
    table = records_from_file(spec)

    def lookup(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        return table.get(name.lower().rstrip("."))
    return lookup


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    dnsfunc = dnsfunc_for(sys.argv[1])
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            message = f.read()
        d = dkim.DKIM(message)
        count = len([h for h in d.headers if h[0].lower() == b"dkim-signature"])
        for idx in range(count):
            try:
                ok = d.verify(idx=idx, dnsfunc=dnsfunc)
            except Exception as e:  # dkimpy raises for some malformed input
                ok = False
            sig = dkim.util.parse_tag_value(
                [h for h in d.headers if h[0].lower() == b"dkim-signature"][idx][1])
            print("%s %d %s d=%s s=%s" % (path, idx, "pass" if ok else "fail",
                                          sig.get(b"d", b"").decode(), sig.get(b"s", b"").decode()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
