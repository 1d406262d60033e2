"""python -m sandbox: serve every analytics API of the registry on 127.0.0.1 in the foreground until Ctrl-C.

The first line printed is the base URL, http://127.0.0.1:<port>; profile <p> is served under <base URL>/<p>
(--help lists the profiles), each signing in the ways its document says. It accepts one OAuth
client, one bearer token, one API key and one username and password (sandbox.CLIENT_ID, ...); --configs writes
them, with a ready connector config per profile and kind of credentials, to files. GET <base URL>/_sandbox/stats reports what it served.
Data is deterministic: the same --records and --seed serve the same records.
"""

import argparse
import errno
import json
import signal
import sys
import threading
from pathlib import Path

from .auth import API_KEY, BASIC_PASSWORD, BASIC_USER, BEARER_TOKEN, CLIENT_ID, CLIENT_SECRET
from .profiles import PROFILES, REGISTRY
from .instance import start

PARENTS = ", ".join(f"{name} {p.stream(s.parent).name}" for name, p in REGISTRY.items() for s in p.streams if s.parent)


def _optional_float(text):
    return None if text.lower() in ("", "none") else float(text)


def config_name(profile, kind):
    """The file of a profile's config signing in with `kind`: <profile>.json for the first kind its document
    takes, <profile>_<kind>.json for the others (payments_bearer.json)."""
    return f"{profile}.json" if kind == REGISTRY[profile].auth[0] else f"{profile}_{kind}.json"


def write_configs(sb, directory):
    """A connector config per profile and kind of credentials it takes, and the credentials, as files in
    `directory`.

    Returns the lines that tell a person where they are; no credential is in them.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    credentials = directory / "credentials.json"
    secrets = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "bearer_token": BEARER_TOKEN,
               "api_key": API_KEY, "username": BASIC_USER, "password": BASIC_PASSWORD}
    credentials.write_text(json.dumps(secrets, indent=2) + "\n")
    lines = [f"Credentials ({', '.join(secrets)}): {credentials}", "",
             f"{'profile':<11} {'base_url':<40} configs (one per kind of credentials the profile takes)"]
    for profile in PROFILES:
        paths = []
        for kind in REGISTRY[profile].auth:
            path = directory / config_name(profile, kind)
            path.write_text(json.dumps(sb.config(profile, auth=kind), indent=2) + "\n")
            paths.append(str(path))
        lines.append(f"{profile:<11} {sb.base_url(profile):<40} {' '.join(paths)}")
    lines += ["", f"Try: .venv/bin/source-analytics check --config {directory / 'payments.json'}"]
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__ + f"\nProfiles: {', '.join(PROFILES)}.",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0,
                   help="TCP port on 127.0.0.1; 0 picks a free one (default: 0; make sandbox uses 8765)")
    p.add_argument("--configs", metavar="DIR", default=None,
                   help="write DIR/<profile>.json (its first kind of credentials), DIR/<profile>_<kind>.json for the "
                        "others (payments_bearer.json) and DIR/credentials.json, and "
                        "print each profile's base URL and config path (default: write nothing; make sandbox "
                        "uses .sandbox)")
    p.add_argument("--records", type=int, default=20,
                   help="records in each profile's main streams; child streams get a few per parent, some "
                        "parents none; small lookup streams keep a fixed size (default: 20)")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated data (default: 1)")
    p.add_argument("--latency-ms", type=float, default=0,
                   help="delay before answering every request, in milliseconds (default: 0)")
    p.add_argument("--rate-limit", type=_optional_float, default=None, metavar="PER_SECOND",
                   help="requests per second admitted, data and token requests together (a token bucket); a "
                        "request over it is answered 429 with Retry-After (default: none, unlimited)")
    p.add_argument("--error-rate", type=float, default=0.0,
                   help="share of data requests, 0 to 1, answered with a random 500, 502, 503 or 504 (default: 0)")
    p.add_argument("--error-retry-after", type=_optional_float, default=None, metavar="SECONDS",
                   help="Retry-After header sent with those injected errors (default: none)")
    p.add_argument("--token-ttl", type=float, default=3600,
                   help="lifetime of an issued OAuth access token, in seconds (default: 3600)")
    p.add_argument("--max-consecutive-errors", type=int, default=2,
                   help="at most this many injected errors in a row for one URL, so a client that retries gets "
                        "through (default: 2)")
    p.add_argument("--stall-rate", type=float, default=0.0,
                   help="share of requests, 0 to 1, data and token, accepted and never answered, each URL at most "
                        "once, as a stuck upstream does (default: 0)")
    p.add_argument("--deleted-parents", type=float, default=0.0,
                   help=f"share of parents ({PARENTS}) deleted after they were listed: their child endpoint "
                        "answers 404 (default: 0)")
    p.add_argument("--retry-after-format", choices=("seconds", "http-date"), default="seconds",
                   help="how Retry-After is written on 429 and injected errors (default: seconds)")
    p.add_argument("--rate-limit-headers", choices=("x-ratelimit", "ratelimit"), default=None,
                   help="send X-RateLimit-* or RateLimit-* Limit/Remaining/Reset headers while --rate-limit is set "
                        "(default: none)")
    p.add_argument("--quota", type=int, default=None, metavar="REQUESTS",
                   help="a daily quota: requests (data and token) allowed; every later one is answered 429 with a "
                        "Retry-After of a day (default: none)")
    p.add_argument("--maintenance-rate", type=float, default=0.0,
                   help="share of data requests, 0 to 1, answered with 200 and an HTML maintenance page, each URL at "
                        "most once, as a CDN does during a deploy (default: 0)")
    p.add_argument("--next-link-cycles", action="store_true",
                   help="the last page of a next-link or next-token listing names itself as its next page "
                        "(default: off)")
    p.add_argument("--repeat-last-page", action="store_true",
                   help="a listing the client counts (page numbers, offsets) answers any position past the end "
                        "with its last page again, and one that counts its records counts a page more "
                        "(default: off)")
    p.add_argument("--foreign-next-host", default=None, metavar="HOST[:PORT]",
                   help="next links name this host instead of the one the client called (default: none)")
    p.add_argument("--redirect-host", default=None, metavar="HOST[:PORT]",
                   help="data requests naming another host are answered 307 to this one, path and query unchanged "
                        "(default: none)")
    args = p.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        sb = start(records=args.records, seed=args.seed, latency_ms=args.latency_ms, rate_limit=args.rate_limit,
                   error_rate=args.error_rate, error_retry_after=args.error_retry_after,
                   token_ttl=args.token_ttl, port=args.port, max_consecutive_errors=args.max_consecutive_errors,
                   stall_rate=args.stall_rate, deleted_parents=args.deleted_parents,
                   retry_after_format=args.retry_after_format, rate_limit_headers=args.rate_limit_headers,
                   quota=args.quota, maintenance_rate=args.maintenance_rate, next_link_cycles=args.next_link_cycles,
                   repeat_last_page=args.repeat_last_page, foreign_next_host=args.foreign_next_host,
                   redirect_host=args.redirect_host)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            print(f"sandbox: port {args.port} on 127.0.0.1 is already in use (a sandbox already running, or another "
                  f"program): stop it, or pick another port: make sandbox SANDBOX_PORT={args.port + 1}, or "
                  "python -m sandbox --port 0 for a free one (the configs then name that port)", file=sys.stderr)
        else:
            print(f"sandbox: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"sandbox: {e}", file=sys.stderr)
        return 2
    print(sb.url, flush=True)
    if args.configs:
        try:
            lines = write_configs(sb, args.configs)
        except OSError as e:
            sb.stop()
            print(f"sandbox: cannot write the configs: {e}", file=sys.stderr)
            return 2
        print("\n".join([f"Serving {len(PROFILES)} profiles ({args.records} records per main stream) until Ctrl-C.",
                         ""] + lines), flush=True)
    while not stop.wait(0.5):  # short waits keep the main thread responsive to signals
        pass
    sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
