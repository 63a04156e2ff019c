#!/usr/bin/env python3
"""The layers of src/ (docs/architecture.md), checked on every build by `make check`.

Each directory of src/ is a layer; a file may include headers of its own layer and of the
layers in ALLOWED[its layer], nothing else (an include that points up or sideways outside
the table fails). The table is the same as the CMake link graph (CMakeLists.txt,
qoc_layer), so a call that points up fails the link too. Also fails on any cycle among the
headers of src/ (listed), and prints the counts the architecture note quotes.

With --libs BUILD_DIR, also reads the built layer libraries (BUILD_DIR/libqoc_<layer>.a)
with nm: every symbol a layer uses and does not define itself must come from a layer it
may use (or from outside the project), so a call that points up fails even where the
include was dodged with a declaration of its own.

Also: no file of api/ calls the store (qoc_store_*) but those in STORE_CALLERS; handlers
reach the store through a domain layer (console/, oauth/, ...). Name helpers that touch no
data (STORE_PURE) are allowed everywhere.

Usage: scripts/check-layers.py [--libs BUILD_DIR] [SRC_DIR]   (default: src next to this script)
"""
import subprocess
import os
import re
import sys

# layer -> the layers below it that it may include (its own is always allowed)
ALLOWED = {
    "core": [],
    "crypto": ["core"],
    "store": ["core"],
    "http": ["core"],
    "oidc": ["core", "crypto", "store"],
    "oauth": ["core", "crypto", "store", "oidc"],
    "console": ["core", "crypto", "store", "oauth"],
    "login": ["core", "crypto", "store", "console"],
    "analytics": ["core", "store"],
    "mail": ["core", "store"],
    "api": ["core", "crypto", "store", "http", "oidc", "oauth", "console", "login",
            "analytics", "mail"],
    "cli": ["core", "crypto", "store", "http", "oidc", "oauth", "console", "login",
            "analytics", "mail", "api"],
}
# The files of api/ that still call the store directly. Every console handler goes through
# console/ (teams.h, app_manage.h, transfer.h, audit.h, icon.h, pats.h, client.h); this
# list must only shrink. The protocol handlers below move to oauth/ and login/ domain
# modules next (issue 15): until then they keep their store calls.
STORE_CALLERS = {
    "api/authorize.c", "api/backchannel.c", "api/complete.c", "api/consent.c",
    "api/health.c", "api/login.c", "api/logout.c", "api/metrics.c", "api/signup.c",
    "api/userinfo.c", "api/web.c",
}
STORE_PURE = {"qoc_store_email_norm", "qoc_store_name_norm"}
STORE_CALL = re.compile(r"\b(qoc_store_[A-Za-z0-9_]+)\s*\(")
OPS_CALL = re.compile(r"->\s*ops\s*->\s*[A-Za-z0-9_]+\s*\(")  # a call, not ->ops->name
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel):
    parts = rel.split("/")
    return parts[0] if len(parts) > 1 else None  # src/main.c: the program, above all


def strip_comments(text):
    """text without its /* */ and // comments and string literals (newlines kept)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', blank, text, flags=re.S)


def check_store_calls(src, files):
    """api/ files outside STORE_CALLERS that call qoc_store_* (or a store's ops table)."""
    bad = []
    for rel in files:
        if layer_of(rel) != "api" or not rel.endswith(".c") or rel in STORE_CALLERS:
            continue
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            text = strip_comments(f.read())
        for lineno, line in enumerate(text.splitlines(), 1):
            calls = [m.group(1) for m in STORE_CALL.finditer(line)
                     if m.group(1) not in STORE_PURE]
            if OPS_CALL.search(line):
                calls.append("->ops->")
            for call in calls:
                bad.append(f"src/{rel}:{lineno}: calls {call}: api/ reaches the store only "
                           f"through a domain module (console/, oauth/, ...; "
                           f"scripts/check-layers.py STORE_CALLERS)")
    for rel in sorted(STORE_CALLERS):
        if rel not in files:
            bad.append(f"scripts/check-layers.py STORE_CALLERS names src/{rel}, which is gone")
    return bad


def defined_and_used(lib):
    """(symbols defined, symbols used but undefined) by the objects of a static library."""
    out = subprocess.run(["nm", "--defined-only", "-g", lib], capture_output=True, text=True,
                         check=True).stdout
    defined = {ln.split()[-1] for ln in out.splitlines() if len(ln.split()) == 3}
    out = subprocess.run(["nm", "-u", "-g", lib], capture_output=True, text=True,
                         check=True).stdout
    used = {ln.split()[-1] for ln in out.splitlines() if ln.strip() and not ln.endswith(":")}
    return defined, used - defined


def check_libs(build):
    bad = []
    libs = {name: os.path.join(build, f"libqoc_{name}.a") for name in ALLOWED}
    missing = [p for p in libs.values() if not os.path.exists(p)]
    if missing:
        return [f"not built: {p}" for p in missing]
    syms = {name: defined_and_used(p) for name, p in libs.items()}
    owner = {}
    for name, (defined, _) in syms.items():
        for sym in defined:
            owner.setdefault(sym, name)
    for name, (_, used) in sorted(syms.items()):
        for sym in sorted(used):
            other = owner.get(sym)
            if other and other != name and other not in ALLOWED[name]:
                bad.append(f"libqoc_{name}.a uses {sym} of {other}/ "
                           f"({name}/ may use: {', '.join(ALLOWED[name]) or 'nothing'})")
    return bad


def main():
    args = sys.argv[1:]
    build = None
    if args[:1] == ["--libs"]:
        build, args = args[1], args[2:]
    src = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src")
    src = os.path.normpath(src)
    files = []
    for root, _, names in os.walk(src):
        for n in names:
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(root, n), src))
    files.sort()
    bad = []
    graph = {}
    for rel in files:
        here = layer_of(rel)
        if here is not None and here not in ALLOWED:
            bad.append(f"src/{rel}: directory {here}/ is not a layer of scripts/check-layers.py")
            continue
        deps = []
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                target = layer_of(inc)
                if target is None or not os.path.exists(os.path.join(src, inc)):
                    continue  # generated or test-only headers
                deps.append(inc)
                if here is None or target == here:
                    continue
                if target not in ALLOWED[here]:
                    bad.append(f"src/{rel}:{lineno}: {here}/ may not include {inc} "
                               f"({here}/ may include: {', '.join(ALLOWED[here]) or 'nothing'})")
        graph[rel] = deps
    bad += check_store_calls(src, set(files))
    cycles = find_cycles(graph)
    for c in cycles:
        bad.append("include cycle: " + " -> ".join(c + [c[0]]))
    if build:
        bad += check_libs(build)
    if bad:
        print("\n".join(bad), file=sys.stderr)
        print(f"check-layers: {len(bad)} problem(s); the layers are in docs/architecture.md",
              file=sys.stderr)
        return 1
    n_inc = sum(len(v) for v in graph.values())
    print(f"check-layers: {len(files)} files, {n_inc} includes, every include points down, "
          f"no include cycles, {len(STORE_CALLERS)} api/ files call the store" + (", every call points down" if build else ""))
    return 0


def find_cycles(graph):
    """Strongly connected components of more than one file (or a self-include), by
    Tarjan's algorithm; each reported as one cycle through it."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, []):
                out.append(path_in(graph, sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return out


def path_in(graph, comp):
    """One cycle inside a strongly connected component, starting at its first file."""
    members, start = set(comp), comp[0]
    prev, todo = {start: None}, [start]
    while todo:
        v = todo.pop(0)
        for w in graph.get(v, []):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path))
            if w in members and w not in prev:
                prev[w] = v
                todo.append(w)
    return comp


if __name__ == "__main__":
    sys.exit(main())
