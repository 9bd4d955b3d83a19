"""Clients against a running `newsarchive serve`: one, then several at once.

    newsarchive --archive ARCHIVE serve --port 8796 &
    python bench/serve_load.py --url http://127.0.0.1:8796 --clients 8 --seconds 20

Each client sends its next query as soon as the last is answered, for a
bounded time, to this machine only.  Prints queries per second, p50 and p95
for one client and for N, and their ratios (the figures docs/scaling.md
quotes).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import urllib.parse
import urllib.request

QUERIES = [
    '"early adopter"',
    "regulator",
    'council:"East Sussex"',
    '"head of service"',
    "framework -wales",
    "has:poll",
    "title:framework",
    '"social workers"',
]


def run(url: str, clients: int, seconds: float) -> tuple[float, float, float, int]:
    """(queries per second, p50 s, p95 s, errors) of ``clients`` clients for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < stop:
            query = urllib.parse.urlencode({"q": QUERIES[i % len(QUERIES)]})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{url}/api/search?{query}", timeout=60) as answer:
                    answer.read()
                latencies.append(time.perf_counter() - started)
            except OSError as exc:
                errors.append(str(exc))
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return len(latencies) / seconds, statistics.median(latencies), latencies[int(len(latencies) * 0.95)], len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    one = run(args.url, 1, args.seconds)
    many = run(args.url, args.clients, args.seconds)
    for label, (rate, p50, p95, errors) in (("1 client", one), (f"{args.clients} clients", many)):
        print(f"{label:10s} {rate:6.2f} q/s  p50 {p50 * 1000:5.0f} ms  p95 {p95 * 1000:5.0f} ms  errors {errors}")
    print(f"throughput x{many[0] / one[0]:.2f}, p95 x{many[2] / one[2]:.2f}")


if __name__ == "__main__":
    main()
