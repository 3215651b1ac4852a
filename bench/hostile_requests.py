"""Hostile GETs against a running archive: every public URL with parameters an attacker would send.

    python bench/hostile_requests.py --base http://127.0.0.1:8000 --count 1000

Reports how many answers were 5xx or slower than --slow seconds, and the worst ones; exits 1 if any.
Only loopback addresses are accepted as --base: this is for a server of our own.
"""

import argparse
import http.client
import random
import sys
import time
from urllib.parse import quote, urlencode, urlsplit

PATHS = [
    "/",
    "/api/search/",
    "/feed.atom",
    "/export.csv",
    "/chart.svg",
    "/chart.png",
    "/chart.csv",
    "/sources/",
    "/dates/",
    "/dates/unknown/",
]
DATE_PATHS = ["/dates/{y}/", "/dates/{y}/{m}/", "/dates/{y}/{m}/{d}/"]
OTHER_PATHS = ["/articles/{n}/", "/articles/{n}/original/", "/api/articles/{n}/", "/sources/{s}/"]
PARAMS = [
    "q",
    "source",
    "date_from",
    "date_to",
    "sort",
    "page",
    "tags",
    "status",
    "agency",
    "annotated",
    "interval",
]


def hostile_values(rng: random.Random) -> list[str]:
    word = "".join(rng.choice("بتثجحخدذرزسشصضطظعغفقكلمنهوي") for _ in range(999))
    return [
        "",
        "\x00",
        "a\x00b",
        "\x01\x0b\x1b[31m",
        "\u2028\u2029",
        word,
        " ".join(word[i : i + 7] for i in range(0, 700, 7)),
        "ال*",
        "*",
        "?",
        "~",
        "^",
        '"في من"',
        '"في من في من في من في من في من"',
        "((((((",
        '"""""',
        "title:x OR *:*",
        "$x^2$ = @cmd",
        '=HYPERLINK("http://x")',
        "0001-01-01",
        "9999-12-31",
        "0000-00-00",
        "2018-02-30",
        "-1",
        "99999999999999999999999",
        "1e308",
        "NaN",
        "javascript:alert(1)",
        "<script>alert(1)</script>",
        "%00%ff",
        "ﷺ ﻻ ﭐ",
        "سُوريا الحَرْب",
        "Lavrov Aleppo",
        "day",
        "year",
        "yes",
    ]


def make_url(rng: random.Random, values: list[str]) -> str:
    choice = rng.random()
    if choice < 0.15:
        template = rng.choice(DATE_PATHS)
        path = template.format(
            y=rng.choice(["0000", "0001", "0999", "2018", "9999"]),
            m=rng.choice(["00", "01", "02", "12", "13"]),
            d=rng.choice(["00", "01", "28", "29", "31", "32"]),
        )
    elif choice < 0.25:
        path = rng.choice(OTHER_PATHS).format(
            n=rng.choice(
                ["1", "2", "0", "9223372036854775807", "9223372036854775808", "99999999999999999999"]
            ),
            s=quote(rng.choice(["x", "$x$", "..", "%00", "a" * 300]), safe=""),
        )
    else:
        path = rng.choice(PATHS)
    params = []
    for _ in range(rng.choice([1, 1, 2, 3, 60])):
        params.append((rng.choice(PARAMS), rng.choice(values)))
    return path + "?" + urlencode(params)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--slow", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    base = urlsplit(args.base)
    if base.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("--base must be a loopback address")
    rng = random.Random(args.seed)
    values = hostile_values(rng)
    results = []
    connection = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=60)
    for _ in range(args.count):
        url = make_url(rng, values)
        started = time.perf_counter()
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status = f"error: {error}"
            connection.close()
            connection = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=60)
        results.append((time.perf_counter() - started, status, url))
    failed = [r for r in results if not isinstance(r[1], int) or r[1] >= 500]
    slow = [r for r in results if r[0] > args.slow]
    statuses = sorted({str(r[1]) for r in results})
    durations = sorted(r[0] for r in results)
    print(f"{len(results)} GETs: statuses {', '.join(statuses)}")
    print(f"5xx or errors: {len(failed)}; slower than {args.slow:g} s: {len(slow)}")
    print(f"median {durations[len(durations) // 2] * 1000:.0f} ms, slowest {durations[-1] * 1000:.0f} ms")
    for seconds, status, url in sorted(failed + slow, reverse=True)[:10]:
        print(f"  {seconds * 1000:8.0f} ms {status} {url[:150]}")
    sys.exit(1 if failed or slow else 0)


if __name__ == "__main__":
    main()
