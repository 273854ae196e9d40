"""Where a page's CPU goes: cProfile over repeated requests of the daily pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bistand_load BISTAND_DEBUG=0 \
      .venv/bin/python bench/page_profile.py --only "case page" --repeat 20 --top 40

Uses bench/page_queries.py's page list (the demo user of each role, full middleware, session
log-in) on a database holding the demo; every request writes its access-log rows, so use a
scratch database. Prints, per page, the median wall time and the functions with the most
cumulative and own time over the timed requests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BISTAND_SECRET_KEY", "profile-only-not-a-secret-" + "x" * 30)
os.environ.setdefault("BISTAND_AUDIT_KEY", "profile-only-audit-key-" + "y" * 30)
os.environ.setdefault("BISTAND_SECURE_COOKIES", "0")
os.environ.setdefault("BISTAND_SSL_REDIRECT", "0")

import page_queries  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--role", default="", help="only this demo user")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    args = parser.parse_args()
    page_queries._setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.conf import settings
    from django.test import Client

    from bistand.organisation import second_factor
    from bistand.organisation.models import User

    print(f"DEBUG={settings.DEBUG}  database={settings.DATABASES['default']['ENGINE']}")
    users = {u.username: u for u in User.objects.all()}
    for username, name, url in page_queries._pages(users):
        if args.only and args.only.lower() not in name.lower():
            continue
        if args.role and args.role != username:
            continue
        client = Client()
        client.force_login(users[username])
        if second_factor.required_for(users[username]):
            session = client.session
            session[second_factor.SESSION_KEY] = second_factor.TOTP
            session.save()
        client.get(url)
        profiler = cProfile.Profile()
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            profiler.enable()
            client.get(url)
            profiler.disable()
            times.append((time.perf_counter() - start) * 1000)
        print(f"\n=== {username} {name} {url}: median {statistics.median(times):.1f} ms")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue().split("\n", 6)[-1])


if __name__ == "__main__":
    main()
