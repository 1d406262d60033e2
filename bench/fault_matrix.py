"""python -m bench.fault_matrix [--runs 20]: the fault matrix's combined scenario, run after run.

Every profile syncs at once against one sandbox with 15 % 5xx, 2 s tokens, 30 ms a request and a rate limit they
share (integration_tests/fault_matrix.py); a run passes when every sync reads exactly what the API serves. Too
long for CI (about 30 s a run), so CI runs it once (test_faults.py) and this prints the count.
"""

import argparse
import sys
import time

from integration_tests.fault_matrix import PROFILES, faults_seen, problems, syncs_together
from sandbox import STREAMS


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.fault_matrix", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args(argv)
    passed = 0
    for n in range(1, args.runs + 1):
        started = time.monotonic()
        results, stats = syncs_together("combined", seed=n)
        failed = {profile: problems(*[results[profile][i] for i in (0, 1, 3)]) for profile in PROFILES}
        failed = {profile: found for profile, found in failed.items() if found}
        seen = {profile: faults_seen("combined", stats, profile) for profile in PROFILES
                if "child" in STREAMS[profile].values()}  # the page-by-page profiles make too few requests to count
        ok = not failed and all(all(s.values()) for s in seen.values())
        passed += ok
        print(f"run {n}: {'exact' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s "
              f"({stats['requests']} requests, {stats['responses_429']} answered 429, {stats['responses_5xx']} 5xx, "
              f"{stats['token_requests']} tokens){'' if ok else f': {failed or seen}'}", flush=True)
    print(f"{passed} of {args.runs} runs: every profile complete and exact")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
