#!/usr/bin/env python3
"""The layering check `.ci/run` runs: every arrow between the crate's modules points down.

Reads every `crate::..`, `super::..` and `self::..` path (in `use` declarations and in code) of
each file under `src/`, outside comments, string literals and `#[cfg(test)]` items, resolves it to
the module that defines the item, and refuses:

- an arrow pointing up the floors below (a module using one on a higher floor), which includes
  the core naming a provider or an optional layer;
- an arrow from one provider to another;
- an arrow through the `lib.rs` facade (`use crate::Delivery` instead of
  `use crate::delivery::Delivery`): internal code imports from the defining module;
- an import cycle between modules (a module declaring and re-exporting its own submodules is
  structure, not a dependency, and is left out of the graph).

Floors, lowest first (see docs/architecture.md):

    0 core        error headers request owned delivery reply url problem body outcome answer
                  request_headers
    1 codec       wire verify
    2 providers   wakilni peddler xoxoday isendu skladon
    3 over them   any header_map credentials status schema testing
    4 operations  telemetry config
    5 inbox       inbox
    6 console     console
    7 adapters    adapters

`lib.rs` is the facade above all of them: it may name anything, nothing may name it.

Known violations awaiting their fix are listed in scripts/layers-allowed.txt (`file: path`, one
a line; only for the crate's own src/): they are not reported, and an entry that no longer occurs
is, so the list only shrinks.

Usage: scripts/check-layers.py [SRC_DIR]   (default: the crate's src/)
       scripts/check-layers.py --self-test (runs the check on small fixture trees)
Exit status: 0 when the tree holds, 1 with one line per violation otherwise.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

FLOORS: dict[str, int] = {}
for floor, names in enumerate(
    [
        "error headers request owned delivery reply url problem body outcome answer request_headers",
        "wire verify",
        "wakilni peddler xoxoday isendu skladon",
        "any header_map credentials status schema testing",
        "telemetry config",
        "inbox",
        "console",
        "adapters",
    ]
):
    for name in names.split():
        FLOORS[name] = floor
PROVIDERS = {"wakilni", "peddler", "xoxoday", "isendu", "skladon"}
FLOOR_NAMES = ["core", "wire/verify", "providers", "any/status/schema/testing",
               "telemetry/config", "inbox", "console", "adapters"]

Module = tuple[str, ...]  # () is the crate root (lib.rs)


def strip(text: str) -> str:
    """Blanks comments, string and char literals, keeping offsets and newlines."""
    out = []
    i, n = 0, len(text)

    def blank(s: str) -> str:
        return "".join(c if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif m := re.compile(r'b?r(#*)"').match(text, i):
            if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
                out.append(c)
                i += 1
                continue
            end = '"' + m.group(1)
            j = text.find(end, m.end())
            j = n if j < 0 else j + len(end)
            out.append(blank(text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(blank(text[i : j + 1]))
            i = j + 1
        elif m := re.compile(r"b?'(\\.[^']*|[^\\'])'").match(text, i):
            out.append(blank(m.group(0)))
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


CFG = re.compile(r"#\[cfg\((.*?)\)\]\s*(?=\S)", re.S)


def test_only(predicate: str) -> bool:
    """`test`, or `all(.., test, ..)`: code compiled only for the crate's own unit tests."""
    predicate = re.sub(r"\s+", "", predicate)
    if predicate == "test":
        return True
    if m := re.fullmatch(r"all\((.*)\)", predicate):
        parts, depth, cur = [], 0, ""
        for ch in m.group(1):
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += ch == "("
            depth -= ch == ")"
            cur += ch
        parts.append(cur)
        return "test" in parts
    return False
ATTR = re.compile(r"\s*#\[[^\]]*\]")
MOD_DECL = re.compile(r"\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;")


def drop_test_items(text: str) -> tuple[str, set[str]]:
    """Blanks every item under `#[cfg(test)]`; returns the text and the test-only `mod x;`s."""
    test_mods: set[str] = set()
    at = 0
    while m := CFG.search(text, at):
        if not test_only(m.group(1)):
            at = m.end()
            continue
        j = m.end()
        while a := ATTR.match(text, j):
            j = a.end()
        if d := MOD_DECL.match(text, j):
            test_mods.add(d.group(1))
        semi, brace = text.find(";", j), text.find("{", j)
        if brace >= 0 and (semi < 0 or brace < semi):
            end = matching_brace(text, brace) + 1
        else:
            end = (semi if semi >= 0 else len(text) - 1) + 1
        text = text[: m.start()] + re.sub(r"[^\n]", " ", text[m.start() : end]) + text[end:]
    return text, test_mods


def expand_use_tree(tree: str) -> list[list[str]]:
    """`a::{b, c::{d, e}}` -> [[a, b], [a, c, d], [a, c, e]] (`self` and `as` resolved)."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)

    def parse(s: str) -> list[list[str]]:
        s = s.strip()
        if "{" not in s:
            return [[p for p in s.split("::") if p]]
        head, rest = s.split("{", 1)
        body = rest[: rest.rfind("}")]
        prefix = [p for p in head.split("::") if p]
        parts, depth, cur = [], 0, ""
        for ch in body:
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += ch == "{"
            depth -= ch == "}"
            cur += ch
        parts.append(cur)
        paths = []
        for part in parts:
            if not part.strip():
                continue
            for sub in parse(part):
                paths.append(prefix if sub == ["self"] else prefix + sub)
        return paths

    return parse(tree)


def module_of(path: Path, src: Path) -> Module:
    rel = path.relative_to(src).with_suffix("")
    parts = rel.parts
    if parts == ("lib",):
        return ()
    if parts[-1] == "mod":
        parts = parts[:-1]
    return tuple(parts)


def resolve(segments: list[str], here: Module, modules: set[Module]) -> Module | None:
    """The module a path names (the longest prefix that is a module), or None if external."""
    first = segments[0].lstrip("$")
    if first == "crate":
        base: Module = ()
        rest = segments[1:]
    elif first in ("super", "self"):
        base = here
        rest = segments
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    elif here + (first,) in modules:  # a path relative to this module: one of its children
        base, rest = here, segments
    else:
        return None
    target = base
    for seg in rest:
        if target + (seg,) in modules:
            target = target + (seg,)
        else:
            break
    return target


PATH = re.compile(r"(?<![\w:])\$?(?:crate|super|self)(?:::\w+)+")
USE = re.compile(r"\buse\s+([^;]+);")
INLINE_MOD = re.compile(r"\bmod\s+(\w+)\s*\{")


def uses(text: str, module: Module, modules: set[Module]) -> list[tuple[Module, int, str]]:
    """(target module, line, path as written) for every crate-internal path of one file."""
    spans = [(m.start(), matching_brace(text, m.end() - 1), m.group(1))
             for m in INLINE_MOD.finditer(text)]

    def scope(at: int) -> Module:
        inner = [name for start, end, name in spans if start < at < end]
        return module + tuple(inner)

    found = []
    covered: list[tuple[int, int]] = []
    for m in USE.finditer(text):
        covered.append((m.start(), m.end()))
        here = scope(m.start())
        for segs in expand_use_tree(m.group(1)):
            if segs and (target := resolve(segs, here, modules)) is not None:
                found.append((target, text.count("\n", 0, m.start()) + 1, "::".join(segs)))
    for m in PATH.finditer(text):
        if any(a <= m.start() < b for a, b in covered):
            continue
        segs = m.group(0).split("::")
        if (target := resolve(segs, scope(m.start()), modules)) is not None:
            found.append((target, text.count("\n", 0, m.start()) + 1, m.group(0)))
    return found


def show(module: Module) -> str:
    return "crate (lib.rs)" if not module else "::".join(module)


def check(src: Path) -> list[str]:
    files = sorted(p for p in src.rglob("*.rs"))
    texts: dict[Path, str] = {}
    test_files: set[Module] = set()
    modules: set[Module] = set()
    for path in files:
        module = module_of(path, src)
        modules.add(module)
        text, test_mods = drop_test_items(strip(path.read_text()))
        texts[path] = text
        test_files |= {module + (name,) for name in test_mods}
        for m in INLINE_MOD.finditer(text):
            modules.add(module + (m.group(1),))
    errors: list[str] = []
    graph: dict[Module, set[Module]] = {}
    where: dict[tuple[Module, Module], str] = {}
    for path in files:
        module = module_of(path, src)
        if not module or any(module[: len(t)] == t for t in test_files):
            continue  # the facade may name anything; test-only files are exempt
        rel = path.relative_to(src.parent) if src.parent != src else path
        for target, line, written in uses(texts[path], module, modules):
            at = f"{rel}:{line}: {written}"
            if target[: len(module)] == module:
                continue  # itself, or one of its own submodules
            if not target:
                errors.append(f"{at}: through the lib.rs facade; import from the defining module")
                continue
            top, dst = module[0], target[0]
            if top not in FLOORS or dst not in FLOORS:
                unknown = top if top not in FLOORS else dst
                errors.append(f"{at}: module `{unknown}` is on no floor; add it to FLOORS")
                continue
            if FLOORS[dst] > FLOORS[top]:
                errors.append(
                    f"{at}: points up, from {show(module)} ({FLOOR_NAMES[FLOORS[top]]}) "
                    f"to {show(target)} ({FLOOR_NAMES[FLOORS[dst]]})"
                )
            elif top in PROVIDERS and dst in PROVIDERS and top != dst:
                errors.append(f"{at}: provider {top} names another provider, {dst}")
            graph.setdefault(module, set()).add(target)
            where.setdefault((module, target), at)
    for cycle in cycles(graph):
        chain = " -> ".join(show(m) for m in cycle + [cycle[0]])
        first = where.get((cycle[0], cycle[1 % len(cycle)]), "")
        errors.append(f"import cycle: {chain} (e.g. {first})")
    return errors


def cycles(graph: dict[Module, set[Module]]) -> list[list[Module]]:
    """One cycle through each strongly connected component of more than one module (Tarjan)."""
    index: dict[Module, int] = {}
    low: dict[Module, int] = {}
    stack: list[Module] = []
    on_stack: set[Module] = set()
    components: list[list[Module]] = []
    counter = [0]

    def visit(v: Module) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    found = []
    for component in components:
        members = set(component)
        start = min(component)
        # A shortest path back to the start inside the component (breadth first).
        previous: dict[Module, Module] = {}
        queue = [start]
        while queue:
            v = queue.pop(0)
            done = False
            for w in sorted(graph.get(v, ())):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    found.append(list(reversed(path)))
                    done = True
                    break
                if w not in previous:
                    previous[w] = v
                    queue.append(w)
            if done:
                break
    return found


SELF_TEST_CLEAN = {
    "lib.rs": "mod delivery; mod wire; pub mod wakilni; mod status;\n"
    "pub use delivery::Delivery;\n",
    "delivery.rs": "//! crate::status is only named in this comment\n"
    "pub struct Delivery;\npub trait StatusSource { fn updates(&self); }\n"
    "#[cfg(test)]\nmod tests { use crate::wakilni::Event; }\n"
    "#[cfg(all(test, feature = \"wakilni\"))]\nmod more { use crate::wakilni::Event; }\n",
    "wire/mod.rs": "mod enums;\npub use enums::Kind;\nuse crate::delivery::Delivery;\n",
    "wire/enums.rs": "pub struct Kind; fn f() -> super::Kind { let s = \"crate::wakilni\"; todo() }\n",
    "wakilni/mod.rs": "mod event;\npub use event::Event;\n"
    "use crate::{delivery::{Delivery, StatusSource}, wire::Kind};\n",
    "wakilni/event.rs": "use super::super::wire::Kind;\npub struct Event;\n",
    "status/mod.rs": "use crate::wakilni::Event;\nuse crate::delivery::StatusSource;\n",
}

SELF_TEST_BROKEN = {
    # Each entry: file -> (extra line, the words its report must contain).
    "delivery.rs": ("fn f() { crate::status::g() }\n", "points up, from delivery (core) to status"),
    "wire/enums.rs": ("use crate::wakilni::Event;\n", "points up, from wire::enums"),
    "status/mod.rs": ("use crate::Delivery;\n", "through the lib.rs facade"),
    "wakilni/event.rs": ("use crate::peddler::Update;\n", "provider wakilni names another provider"),
    "wire/mod.rs": ("use crate::delivery::Missing as M;\n", None),
    "headers.rs": ("#[cfg(any(test, feature = \"x\"))]\nuse crate::{wire::{self, Kind}, status};\n",
                   "points up, from headers (core) to status"),
}


def self_test() -> int:
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"

        def write(tree: dict[str, str]) -> None:
            for name, text in tree.items():
                path = src / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)

        write(SELF_TEST_CLEAN)
        (src / "peddler").mkdir()
        (src / "peddler" / "mod.rs").write_text("pub struct Update;\n")
        if errors := check(src):
            failures.append(f"the clean tree is refused: {errors}")
        for name, (line, expected) in SELF_TEST_BROKEN.items():
            write(SELF_TEST_CLEAN)
            (src / name).write_text(SELF_TEST_CLEAN.get(name, "") + line)
            if name not in SELF_TEST_CLEAN:
                extra = src / name
            else:
                extra = None
            errors = check(src)
            if expected is None and errors:
                failures.append(f"{name}: a downward import is refused: {errors}")
            elif expected is not None and not any(expected in e for e in errors):
                failures.append(f"{name}: `{line.strip()}` is not reported as `{expected}`: {errors}")
            if extra is not None:
                extra.unlink()
        # A cycle between two siblings on one floor.
        write(SELF_TEST_CLEAN)
        (src / "wire" / "other.rs").write_text("use super::enums::Kind;\n")
        (src / "wire" / "mod.rs").write_text("mod enums; mod other;\n")
        (src / "wire" / "enums.rs").write_text("use crate::wire::other::X;\npub struct Kind;\n")
        errors = check(src)
        if not any(e.startswith("import cycle: wire::enums -> wire::other -> wire::enums") for e in errors):
            failures.append(f"the cycle wire::enums <-> wire::other is not reported: {errors}")
    for failure in failures:
        print(f"self-test: {failure}", file=sys.stderr)
    print("check-layers self-test: " + ("FAILED" if failures else "ok"))
    return 1 if failures else 0


ALLOWED = Path(__file__).resolve().parent / "layers-allowed.txt"


def allowed_key(error: str) -> str:
    """`src/a.rs:12: crate::X: why` -> `src/a.rs: crate::X` (line numbers move, paths do not)."""
    file, _, rest = error.partition(":")
    _, _, rest = rest.partition(": ")
    return f"{file}: {rest.split(': ', 1)[0]}"


def main(argv: list[str]) -> int:
    if argv[1:] == ["--self-test"]:
        return self_test()
    default = Path(__file__).resolve().parent.parent / "src"
    src = Path(argv[1]) if len(argv) > 1 else default
    errors = check(src)
    known = 0
    if src.resolve() == default and ALLOWED.exists():
        # Known violations awaiting their fix, one `file: path` a line. An entry that no longer
        # occurs is an error too, so the list only shrinks.
        allowed = {
            line.strip()
            for line in ALLOWED.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        }
        seen = {allowed_key(e) for e in errors if not e.startswith("import cycle")}
        known = len(allowed & seen)
        errors = [e for e in errors if e.startswith("import cycle") or allowed_key(e) not in allowed]
        errors += [f"{ALLOWED.name}: `{a}` no longer occurs; remove it" for a in sorted(allowed - seen)]
    for error in errors:
        print(error)
    count = len(list(src.rglob("*.rs")))
    if errors:
        print(f"check-layers: {len(errors)} violation(s) in {count} files (see docs/architecture.md)",
              file=sys.stderr)
        return 1
    listed = f" ({known} known violations listed in {ALLOWED.name})" if known else ""
    print(f"check-layers: {count} files, every arrow points down, no cycle{listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
