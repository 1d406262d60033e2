"""python -m bench: measure the connector against the sandbox and print one table.

Every figure sits next to its reference measured in the same run (the raw client, the critical-path floor, the
sandbox's rate limit), so the ratio holds on a busy machine even when the absolute numbers do not.

    python -m bench                      # everything (about 10 minutes; 1M records alone take about 5)
    python -m bench --quick              # a smoke run in about a minute: small sizes, one run each, no sweeps
    python -m bench --only latency,rate  # a subset of: bulk, latency, workers, order, rate, unknown, fanout, quota
"""

import argparse
import sys
import time
from pathlib import Path

import yaml

from bench import bulk, fanout, floors, harness, latency, quota, ratelimit, unknown

SECTIONS = ("bulk", "latency", "workers", "order", "rate", "unknown", "fanout", "quota")
ROOT = Path(__file__).resolve().parent.parent


def _spec_workers():
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    prop = manifest["spec"]["connection_specification"]["properties"]["num_workers"]
    return prop.get("default"), prop.get("maximum")


class Table:
    HEAD = ("section", "case", "measured", "reference (same run)", "ratio", "target", "met")

    def __init__(self):
        self.rows = []

    def add(self, section, case, measured, reference="", ratio="", target="", met=None):
        self.rows.append((section, case, measured, reference, ratio, target,
                          "" if met is None else ("yes" if met else "NO")))

    def render(self) -> str:
        widths = [max(len(str(r[i])) for r in self.rows + [self.HEAD]) for i in range(len(self.HEAD))]
        line = lambda r: "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |"
        sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([line(self.HEAD), sep] + [line(r) for r in self.rows])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_bulk(table: Table, sizes, repeat: int) -> None:
    results = [bulk.measure(n, log, repeat) for n in sizes]
    for r in results:
        ratio = r.connector_rate / r.raw_rate
        table.add("1 bulk", f"tracking users, {r.records:,} records: records/s",
                  f"{r.connector_rate:,.0f}/s (best of {', '.join(f'{x.wall:.1f}' for x in r.connectors)} s; "
                  f"start-up {r.startup_cpu:.1f} s CPU)",
                  f"raw client {r.raw_rate:,.0f}/s (best of {', '.join(f'{x.wall:.1f}' for x in r.raw)} s)",
                  f"{ratio:.2f}", ">= 0.35", ratio >= 0.35 and r.pages_ok)
        table.add("1 bulk", f"tracking users, {r.records:,} records: peak RSS",
                  f"{r.connector_max_rss_mb:.0f} MB (CPU {r.connector.cpu:.1f} s)",
                  f"raw client {r.raw_max_rss_mb:.0f} MB; sandbox CPU {r.sandbox_cpu:.1f} s "
                  f"({100 * r.sandbox_cpu / r.connector.wall:.0f} % of a core)")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        growth = large.connector_max_rss_mb / small.connector_max_rss_mb
        table.add("1 bulk", f"peak RSS at {large.records:,} vs {small.records:,}",
                  f"{large.connector_max_rss_mb:.0f} MB", f"{small.connector_max_rss_mb:.0f} MB",
                  f"{growth:.2f}", "<= 1.10", growth <= 1.10)


def run_latency(table: Table, records: int, latency_ms: float) -> None:
    for profile in harness.PROFILES:
        log(f"latency: {profile}, {records} records, {latency_ms:.0f} ms per request ...")
        r = latency.measure(profile, records, latency_ms)
        ratio = r.span / r.floor_seconds
        table.add("2 latency", f"{profile}: sync span",
                  f"{r.span:.2f} s (sync CPU {r.sync_cpu:.1f} s; process {r.run.wall:.1f} s)",
                  f"floor {r.floor_seconds:.2f} s = {r.floor.chain} x {latency_ms:.0f} ms",
                  f"{ratio:.2f}", "<= 1.3", ratio <= 1.3 and r.records_ok)
        data, tokens = r.stats["data_requests"], r.stats["token_requests"]
        table.add("2 latency", f"{profile}: requests (data + token)",
                  f"{data} + {tokens} token ({r.stats['duplicate_requests']} repeated, "
                  f"{r.stats['max_in_flight']} at once)",
                  f"min {r.floor.min_data_requests} + {floors.token_requests(profile)} token"
                  f" ({_requesters(profile)} requesters share it)",
                  f"{data / r.floor.min_data_requests:.2f}", "= min",
                  data == r.floor.min_data_requests and tokens == floors.token_requests(profile)
                  and r.stats["duplicate_requests"] == 0
                  and r.records_ok)


def _requesters(profile: str) -> int:
    """Requesters that send requests in a full sync: one per stream, and one per parent copy a child reads."""
    return len(harness.PROFILE_STREAMS[profile]) + len(latency.PARENTS.get(profile, {}))


def run_workers(table: Table, records: int, latency_ms: float, counts, profiles) -> None:
    for profile in profiles:
        sb = harness.TracedSandbox(records=records)
        try:
            spans = {}
            for i, workers in enumerate(counts):
                log(f"workers: {profile}, num_workers={workers} ...")
                r = latency.measure(profile, records, latency_ms, workers=workers, sb=sb, warm=(i == 0))
                spans[workers] = (r.span, r.floor_seconds)
            best = min(s for s, _ in spans.values())
            table.add("2b workers", f"{profile}: sync span by num_workers",
                      "; ".join(f"{w}: {s:.2f} s" for w, (s, _) in spans.items()),
                      f"floor {next(iter(spans.values()))[1]:.2f} s; best {best:.2f} s")
        finally:
            sb.stop()


def run_order(table: Table, records: int, latency_ms: float, profiles) -> None:
    """What the catalog's stream order costs a fan-out profile: a child listed after its parent waits for the whole
    parent stream (the stream group defers it); listed first, as discover lists it, its partitions start with the
    parent's first page and the parent stream then reads its pages from the cache."""
    for profile in profiles:
        sb = harness.TracedSandbox(records=records)
        try:
            runs = {}
            for i, parents_first in enumerate((False, True)):
                log(f"order: {profile}, {'parents first' if parents_first else 'discover order'} ...")
                runs[parents_first] = latency.measure(profile, records, latency_ms, sb=sb, warm=(i == 0),
                                                      parents_first_order=parents_first)
            base, alt = runs[False], runs[True]
            table.add("2c order", f"{profile}: sync span, discover order (each child before its parent)",
                      f"{base.span:.2f} s ({base.stats['duplicate_requests']} repeated)",
                      f"parents first {alt.span:.2f} s ({alt.stats['duplicate_requests']} repeated); "
                      f"floor {base.floor_seconds:.2f} s",
                      f"{base.span / alt.span:.2f}")
        finally:
            sb.stop()


def run_rate(table: Table, records: int, rate_limit: float) -> None:
    for rps in (None, int(rate_limit)):
        label = f"requests_per_second={rps}" if rps else "no requests_per_second"
        log(f"rate: meetings, {records} records, sandbox limit {rate_limit:.0f}/s, {label} ...")
        r = ratelimit.measure("meetings", records, rate_limit, rps)
        ratio = r.achieved / rate_limit
        ok = r.run.returncode == 0
        table.add("3 rate", f"meetings, limit {rate_limit:.0f}/s, {label}: rate",
                  f"{r.achieved:.1f}/s ({r.answered} answered in {r.span:.1f} s{'' if ok else ', sync FAILED'})",
                  f"R = {rate_limit:.0f}/s (admits at most {rate_limit * (r.span + 1):.0f} in {r.span:.1f} s)",
                  f"{ratio:.2f}", ">= 0.9" if rps else "", (ratio >= 0.9 and ok) if rps else None)
        table.add("3 rate", f"meetings, limit {rate_limit:.0f}/s, {label}: 429s",
                  f"{r.stats['responses_429']} of {r.stats['requests']} ({100 * r.share_429:.1f} %)",
                  f"{r.stats['token_requests']} token request{'' if r.stats['token_requests'] == 1 else 's'} (outside the CDK's budget)", "",
                  "< 1 %" if rps else "", (r.share_429 < 0.01) if rps else None)


def run_unknown(table: Table, limits, seconds: float, latency_ms: float) -> None:
    for r in unknown.sweep(limits, seconds, latency_ms, log):
        ok = r.achieved >= 0.9 and r.share_429 < 0.02 and r.complete
        table.add("4 unknown limit", f"{r.profile}, limit {r.limit:g}/s unknown to the config ({r.records} records)",
                  f"{r.answered / r.span:.1f}/s; {r.stats['responses_429']} of {r.stats['requests']} answered 429 "
                  f"({100 * r.share_429:.1f} %); {'complete' if r.complete else 'NOT COMPLETE'}",
                  f"L = {r.limit:g}/s over {r.span:.0f} s", f"{r.achieved:.2f}", ">= 0.9, < 2 % 429, complete", ok)


def run_fanout(table: Table, sizes) -> None:
    results = [fanout.measure(n, log) for n in sizes]
    for r in results:
        table.add("5 fan-out memory", f"payments, {r.customers:,} customers: peak RSS",
                  f"{r.run.max_rss_mb:.0f} MB (wall {r.run.wall:.0f} s, CPU {r.run.cpu:.0f} s)",
                  "every page once" if r.pages_once else "PAGES REPEATED")
    small, large = results[0], results[-1]
    growth = large.run.max_rss_mb / small.run.max_rss_mb
    table.add("5 fan-out memory", f"peak RSS at {large.customers:,} vs {small.customers:,} customers",
              f"{large.run.max_rss_mb:.0f} MB", f"{small.run.max_rss_mb:.0f} MB", f"{growth:.2f}", "<= 1.10",
              growth <= 1.10 and all(r.pages_once for r in results))


def run_quota(table: Table, records: int) -> None:
    for r in [quota.measure(profile, records, log) for profile in quota.FAN_OUT]:
        table.add("6 quota stop", f"{r.profile}, quota of {r.quota} requests used up mid-sync: first 429 to exit",
                  f"{r.stop:.1f} s; {r.after} requests after it; "
                  f"{'the quota said first' if r.said else 'NOT THE QUOTA FIRST'}",
                  f"discover (start-up and exit) {r.discover_wall:.1f} s", f"{r.ratio:.2f}",
                  "< 2, quota said first", r.said and r.ratio < 2)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="about a minute: small sizes, one run each, no workers/order sweeps unless --only names them")
    p.add_argument("--only", help=f"comma-separated subset of {', '.join(SECTIONS)} (default: all)")
    p.add_argument("--sizes", help="bulk sizes, comma-separated (default 100000,1000000; quick 10000,50000)")
    p.add_argument("--records", type=int, help="records per profile for latency/workers (default 500)")
    p.add_argument("--repeat", type=int, help="connector runs per bulk size, best counts (default 2; quick 1)")
    p.add_argument("--latency-ms", type=float, default=50)
    p.add_argument("--rate-limit", type=float, default=25, help="the sandbox's limit R, requests/s")
    p.add_argument("--limits", help="unknown limits, requests/s, comma-separated (default 2,5,10,25,50; quick 5,25)")
    p.add_argument("--seconds", type=float, help="seconds a sync takes at an unknown limit (default 40; quick 15)")
    p.add_argument("--customers", help="fan-out memory sizes (default 2000,200000; quick 2000,20000)")
    args = p.parse_args(argv)
    if args.only:
        only = [s.strip() for s in args.only.split(",") if s.strip()]
    else:
        only = ["bulk", "latency", "rate", "unknown", "fanout", "quota"] if args.quick else list(SECTIONS)
    unknown = set(only) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s) {sorted(unknown)}; known: {', '.join(SECTIONS)}")

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [10_000, 50_000] if args.quick else [100_000, 1_000_000])
    records = args.records or (100 if args.quick else 500)
    default_workers, max_workers = _spec_workers()
    counts = [w for w in (4, 8, 16, 32, 64, 128) if w <= max_workers]
    if args.quick:
        counts = sorted({4, default_workers})

    started = time.monotonic()
    table = Table()
    if "bulk" in only:
        run_bulk(table, sizes, args.repeat or (1 if args.quick else 2))
    if "latency" in only:
        run_latency(table, records, args.latency_ms)
    if "workers" in only:
        run_workers(table, records, args.latency_ms, counts, harness.FAN_OUT[:1] if args.quick else harness.FAN_OUT)
    if "order" in only:
        run_order(table, records, args.latency_ms, harness.FAN_OUT[:1] if args.quick else harness.FAN_OUT)
    if "rate" in only:
        run_rate(table, records, args.rate_limit)
    if "unknown" in only:
        limits = [float(x) for x in args.limits.split(",")] if args.limits else (
            [5, 25] if args.quick else [2, 5, 10, 25, 50])
        run_unknown(table, limits, args.seconds or (15 if args.quick else 40), 10)
    if "fanout" in only:
        customers = [int(x) for x in args.customers.split(",")] if args.customers else (
            [2000, 20000] if args.quick else [2000, 200000])
        run_fanout(table, customers)
    if "quota" in only:
        run_quota(table, 100 if args.quick else 500)
    elapsed = time.monotonic() - started

    print(f"python -m bench {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"num_workers default {default_workers}, at most {max_workers}; {elapsed / 60:.1f} min on "
          f"{_cpus()} CPUs\n")
    print(table.render())
    return 0


def _cpus() -> int:
    import os
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
