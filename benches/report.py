#!/usr/bin/env python3
"""Writes docs/performance.md from criterion's results in target/criterion.

Every ratio compares the crate with a baseline measured in the same benchmark group of the same
run, so the machine's speed cancels out. Run through `bash benches/run.sh`.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")

# Issue 12: typed parsing takes at most this fraction of the time of parsing the same bytes into
# `serde_json::Value`, for every provider's fixtures.
PARSE_TARGET = 0.6


def estimate(group, function, param=None):
    """Median time in nanoseconds of one benchmark, or None."""
    parts = [CRITERION, group.replace("/", "_"), function] + ([str(param)] if param is not None else [])
    path = os.path.join(*parts, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def params(group, function):
    d = os.path.join(CRITERION, group.replace("/", "_"), function)
    if not os.path.isdir(d):
        return []
    return sorted(p for p in os.listdir(d) if os.path.isdir(os.path.join(d, p, "new")))


def fmt_time(ns):
    if ns is None:
        return "-"
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.2f} µs"
    return f"{ns / 1_000_000:.2f} ms"


def verdict(ok):
    return "met" if ok else "**missed**"


def machine():
    cpu, flags = "unknown CPU", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown CPU":
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1]
    except OSError:
        pass
    sha = "yes" if re.search(r"\bsha_ni\b", flags) else "no"
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return cpu, sha, os.cpu_count(), rustc


def main():
    out = []
    w = out.append
    cpu, sha, cores, rustc = machine()
    failures = []

    w("# Performance\n")
    w("Speed is a measured property of this crate. Every number below comes from one run of")
    w("`bash benches/run.sh` (criterion benchmarks in `benches/`, then `benches/report.py`),")
    w("and every ratio compares the crate with a baseline measured **in the same benchmark group")
    w("of the same run**, so the machine's speed cancels out. Times are criterion's median.")
    w("Allocations are counted, not timed, by `tests/allocations.rs`, which runs in CI.\n")
    w("## Machine\n")
    w(f"- CPU: {cpu} ({cores} cores visible; SHA extensions (`sha_ni`): {sha})")
    w(f"- {rustc}, `cargo bench` (release profile)")
    w(f"- OS: {platform.system()} {platform.release()}")
    w(f"- Date: {datetime.date.today().isoformat()}\n")
    w("## Reproduce\n")
    w("```sh")
    w('bash benches/run.sh   # runs the benchmarks and rewrites this file up to "Framework adapter"')
    w("cargo bench --bench adapter --features axum                      # the adapter section")
    w("cargo bench --bench adapter_breakdown --features axum            # where its time goes")
    w("scripts/with-postgres.sh cargo bench --bench inbox --all-features  # the inbox section")
    w("```\n")
    w("This run: `cargo bench --bench verify --bench parse --bench receive -- --warm-up-time 1")
    w("--measurement-time 3` on the otherwise idle 2-core machine.\n")

    # ----- verification -------------------------------------------------------------------
    w("## Verification\n")
    w("Wakilni's `Verifier::verify` (header lookup, base64 decode into a stack buffer, HMAC,")
    w("constant-time compare) against HMAC-SHA256 of the same bytes computed directly with `hmac`")
    w("and `sha2`. Target: at most 1.25 times the baseline at 300 B, 1.05 times from 4 KiB up.\n")
    w("| body | baseline HMAC | crate verify | ratio | target | |")
    w("|---:|---:|---:|---:|---:|---|")
    g = "verify/wakilni"
    sizes = sorted(int(p) for p in params(g, "crate_verify"))
    verify_times = {}
    for n in sizes:
        base, ours = estimate(g, "baseline_hmac", n), estimate(g, "crate_verify", n)
        verify_times[n] = ours
        if base is None or ours is None:
            continue
        ratio = ours / base
        target = 1.25 if n < 4096 else 1.05
        ok = ratio <= target
        if not ok:
            failures.append(f"verify {n} B: {ratio:.3f} > {target}")
        if n % 1024:
            size = f"{n:,} B"
        else:
            size = f"{n // 1024} KiB" if n < 1 << 20 else f"{n >> 20} MiB"
        w(f"| {size} | {fmt_time(base)} | {fmt_time(ours)} | {ratio:.3f} | ≤ {target} | {verdict(ok)} |")
    w("")
    w("The crate keeps each secret as the keyed HMAC state (inner and outer pads already absorbed)")
    w("and clones it per request, so it skips the two compression rounds the baseline spends on the")
    w("key: on small bodies it can be *faster* than the direct computation.\n")

    w("Peddler's token check (`x-webhook-shared-token`, compared by SHA-256 digest in constant")
    w("time against every configured token) and Xoxoday's source check, beside the plain")
    w("comparison each replaces. They have no ratio target: they show the absolute cost.\n")
    w("| check | baseline | crate |")
    w("|---|---:|---:|")
    w(f"| Peddler token, 2 tokens configured | {fmt_time(estimate('verify/peddler', 'baseline_eq'))} (`==`) | {fmt_time(estimate('verify/peddler', 'crate_verify'))} |")
    base = fmt_time(estimate("verify/xoxoday", "baseline_eq"))
    w(f"| Xoxoday source, direct peer | {base} (`==`) | {fmt_time(estimate('verify/xoxoday', 'crate_verify', 'direct'))} |")
    w(f"| Xoxoday source, behind a trusted proxy (`X-Forwarded-For`) | {base} (`==`) | {fmt_time(estimate('verify/xoxoday', 'crate_verify', 'x_forwarded_for'))} |")
    w("")

    # ----- parsing --------------------------------------------------------------------------
    w("## Parsing\n")
    w("`parse` of every shipped fixture against `serde_json::from_slice::<serde_json::Value>` of")
    w(f"the same bytes. Target: at most {PARSE_TARGET} times the baseline, for every provider's fixtures")
    w("(each fixture, and all of a provider's fixtures together: the sum of their times).\n")
    for provider in ["wakilni", "peddler", "xoxoday", "isendu", "skladon"]:
        g = f"parse/{provider}"
        names = params(g, "crate_parse")
        if not names:
            continue
        w(f"### {provider}\n")
        w(f"| fixture | `Value` | crate | ratio | target {PARSE_TARGET} |")
        w("|---|---:|---:|---:|---|")
        total_base = total_ours = 0.0
        for name in names:
            base, ours = estimate(g, "baseline_value", name), estimate(g, "crate_parse", name)
            if base is None or ours is None:
                continue
            total_base += base
            total_ours += ours
            ratio = ours / base
            ok = ratio <= PARSE_TARGET
            if not ok:
                failures.append(f"parse {provider}/{name}: {ratio:.3f} > {PARSE_TARGET}")
            w(f"| {name} | {fmt_time(base)} | {fmt_time(ours)} | {ratio:.3f} | {verdict(ok)} |")
        if total_base:
            ratio = total_ours / total_base
            ok = ratio <= PARSE_TARGET
            if not ok:
                failures.append(f"parse {provider}, all fixtures: {ratio:.3f} > {PARSE_TARGET}")
            w(f"| **all fixtures** | {fmt_time(total_base)} | {fmt_time(total_ours)} | {ratio:.3f} | {verdict(ok)} |")
        w("")

    w("Where Peddler and isendu stand against the target: by instructions, which callgrind counts")
    w("exactly and the machine's state does not move (`benches/instructions.rs`, 500 passes over")
    w("a provider's fixtures), the crate's parse is 0.549 of `Value`'s for Peddler (74.3 against")
    w("135.5 million) and 0.593 for isendu (102.9 against 173.6 million); about 0.23 of `Value`'s")
    w("time is serde_json's own scanning, which any parse pays (`IgnoredAny`). In time the ratios")
    w("are higher and move with the machine: the same two binaries gave Peddler 0.60 to 0.65 and")
    w("isendu 0.64 to 0.70 over one evening's runs here. The remaining cost is spread over")
    w("the typed result (its allocations and moves, the lenient dates and numbers, the duplicate")
    w("checks), not in one place a change could remove. One part of the gap between instructions")
    w("and time is branch prediction: under cachegrind's branch model (`--branch-sim=yes`) isendu's")
    w("parse mispredicts 4.5 times as many indirect jumps as `Value`'s (145,000 against 32,000 over")
    w("300 passes), nearly all in field dispatch, where serde's derive reads a key into a field")
    w("enum through one jump table and then matches the enum through another. isendu's order")
    w("reader now matches each key once (120,000, about 1% of the time); the derived readers of")
    w("steps, trackings and items still take two.\n")
    w("Wakilni's self-pickup fixtures (`order_ready_for_self_pickup*`) pay for fidelity, on")
    w("purpose. Wakilni documents `location` in a shape that is not JSON, so an object, a list of")
    w("one office and a list of several must all be accepted and written back unchanged: the")
    w("value is kept as sent (`PickupLocation::raw`) and the first office is read from that copy.")
    w("The location's bytes are therefore scanned two or three times (the value, a list's first")
    w("element, the office). The run before that change (2026-11-30, another CPU) measured 0.572")
    w("and 0.593 for the first two; the extra cost is bounded by the location's size, and only")
    w("one of the thirteen events carries a location.\n")
    w("### Large bodies\n")
    w(f"| body | `Value` | crate | ratio | target {PARSE_TARGET} |")
    w("|---|---:|---:|---:|---|")
    large = {}
    for provider in ["isendu", "skladon"]:
        g = f"parse_large/{provider}"
        for name in sorted(params(g, "crate_parse"), key=lambda s: int(s.split("_")[-1])):
            base, ours = estimate(g, "baseline_value", name), estimate(g, "crate_parse", name)
            if base is None or ours is None:
                continue
            large[(provider, int(name.split("_")[-1]))] = ours
            ratio = ours / base
            ok = ratio <= PARSE_TARGET
            if not ok:
                failures.append(f"parse {provider} {name}: {ratio:.3f} > {PARSE_TARGET}")
            label = {"isendu": "isendu batch, trackings", "skladon": "Skladon receiving, product lines"}[provider]
            w(f"| {label}: {name.split('_')[-1]} | {fmt_time(base)} | {fmt_time(ours)} | {ratio:.3f} | {verdict(ok)} |")
    w("")

    # ----- linearity ------------------------------------------------------------------------
    w("## Linear cost\n")
    w("A body ten times larger must cost at most eleven times as much. Beside each parsing pair,")
    w("the `Value` baseline's own factor for the same two bodies.\n")
    w("| what | small | 10× larger | factor | `Value` factor | target 11 |")
    w("|---|---:|---:|---:|---:|---|")

    def large_base(provider, n):
        key = "tracking" if provider == "isendu" else "lines"
        return estimate(f"parse_large/{provider}", "baseline_value", f"{key}_{n}")

    pairs = [("verify, Wakilni", verify_times.get(300), verify_times.get(3000), "300 B → 3,000 B", None),
             ("verify, Wakilni", verify_times.get(4096), verify_times.get(40960), "4 KiB → 40 KiB", None),
             ("verify, Wakilni", verify_times.get(65536), verify_times.get(655360), "64 KiB → 640 KiB", None)]
    for a, b in [(100, 1000), (1000, 10000), (10000, 100000)]:
        base = (large_base("isendu", a), large_base("isendu", b))
        pairs.append(("parse, isendu batch", large.get(("isendu", a)), large.get(("isendu", b)),
                      f"{a:,} → {b:,} trackings", base))
    base = (large_base("skladon", 500), large_base("skladon", 5000))
    pairs.append(("parse, Skladon receiving", large.get(("skladon", 500)), large.get(("skladon", 5000)),
                  "500 → 5,000 lines", base))
    for what, small, big, label, base in pairs:
        if small is None or big is None:
            continue
        factor = big / small
        ok = factor <= 11
        base_factor = "-"
        if base and base[0] and base[1]:
            base_factor = f"{base[1] / base[0]:.2f}"
        if not ok:
            failures.append(f"linearity {what} {label}: {factor:.2f} > 11 (`Value` on the same bodies: {base_factor})")
        w(f"| {what}, {label} | {fmt_time(small)} | {fmt_time(big)} | {factor:.2f} | {base_factor} | {verdict(ok)} |")
    w("")
    w("The work itself is linear. valgrind's callgrind counts instructions, not time, so cache")
    w("effects and machine load do not move it: ten parses of the 1,000-tracking batch take 169.8")
    w("million instructions and one parse of the 10,000-tracking batch 159.4 million (`Value`: 362.5")
    w("and 337.0 million). Time is linear too while a body and its result fit the same level of the")
    w("memory hierarchy. The isendu pairs span 53 KB to 53 MB of JSON: the larger bodies, and the")
    w("trees parsed from them, no longer fit the CPU caches, and then each memory access costs more.")
    w("That is the machine's cost, not the crate's work, and it varies from run to run (the `Value`")
    w("baseline shows it too on the same bodies); a pair that misses the target here is reported as")
    w("missed all the same.\n")

    # ----- end to end -----------------------------------------------------------------------
    w("## End to end\n")
    w("Each provider's `receive` (check, then parse) on a documented body, beside parsing the")
    w("same bytes into `serde_json::Value` alone, for scale.\n")
    w("| provider | body | `Value` only | crate `receive` | ratio |")
    w("|---|---|---:|---:|---:|")
    bodies = {"wakilni": "order_assigned (signed)", "peddler": "failed_attempt (token)",
              "xoxoday": "delivered (source check)", "isendu": "update_batch (URL token)",
              "skladon": "receiving (URL token)"}
    for provider, body in bodies.items():
        g = f"receive/{provider}"
        base, ours = estimate(g, "baseline_value"), estimate(g, "crate_receive")
        if base is None or ours is None:
            continue
        w(f"| {provider} | {body} | {fmt_time(base)} | {fmt_time(ours)} | {ours / base:.3f} |")
    w("")

    w("## Allocations\n")
    w("`tests/allocations.rs` (in CI) counts heap allocations with a counting global allocator:")
    w("- every verifier (Wakilni signature, Peddler token, Xoxoday source and key, direct and behind")
    w("  proxies, isendu and Skladon URL tokens) performs **zero** allocations, accepting or rejecting;")
    w("- every parser keeps exactly the allocations of its result (as many as a deep copy of it), and")
    w("  makes at most serde_json's scratch buffer as a temporary (escaped strings, skipped nested")
    w("  values), plus one documented buffer for Xoxoday's 20-digit id.\n")

    w("## Summary\n")
    if failures:
        w("Targets missed in this run:\n")
        for f in failures:
            w(f"- {f}")
    else:
        w("Every target was met in this run.")
    w("")
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
