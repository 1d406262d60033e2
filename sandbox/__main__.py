"""python -m sandbox: serve in the foreground; prints the base URL once ready."""

import argparse
import signal
import sys
import threading

from .instance import start


def _optional_float(text):
    return None if text.lower() in ("", "none") else float(text)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--records", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--rate-limit", type=_optional_float, default=None, help="requests/second")
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--error-retry-after", type=_optional_float, default=None, help="seconds")
    p.add_argument("--token-ttl", type=float, default=3600)
    p.add_argument("--max-consecutive-errors", type=int, default=2)
    args = p.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        sb = start(records=args.records, seed=args.seed, latency_ms=args.latency_ms, rate_limit=args.rate_limit,
                   error_rate=args.error_rate, error_retry_after=args.error_retry_after,
                   token_ttl=args.token_ttl, port=args.port, max_consecutive_errors=args.max_consecutive_errors)
    except (ValueError, OSError) as e:
        print(f"sandbox: {e}", file=sys.stderr)
        return 2
    print(sb.url, flush=True)
    while not stop.wait(0.5):  # short waits keep the main thread responsive to signals
        pass
    sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
