"""Search at 100,000 products, for bench.py, on SQLite and on PostgreSQL.

For each backend: seeds a fresh database with the real seeder (`shop seed 100000`, timed),
starts the release server and drives with wrk (64 connections):
  - GET /api/products/?search=black&page_size=24     (a common word: ~1 name in 30)
  - GET /api/products/?search=heirloom&page_size=24  (a rare one: ~100 products)
  - the kitchen category sorted by price, in stock only, from the API
    (/api/products/?category=kitchen&ordering=price&in_stock=true&page_size=24) and as the
    page shoppers see (/category/kitchen?sort=price&in_stock=1)
Then, with the server stopped, the baseline: the same search written with LIKE '%word%',
against the same seeded database, beside the full-text query the search service runs,
both from one driver with 64 connections (Python threads with sqlite3 on SQLite, pgbench on
PostgreSQL), so the ratio compares like with like:
  - page: the 24 products of the first page (LIKE: ORDER BY id; full text: by rank);
  - page + total: the same and the COUNT(*) a listing shows beside it.
The server runs with the catalogue cache off (SHOP_CATALOGUE_CACHE_SECS=0): wrk repeats one
URL, which the cache would otherwise answer from memory, measuring the cache, not the search.
The API figures include HTTP, JSON and the facet counts, so they are not comparable with the
driver's; the ratio is full text / LIKE within the driver.

PostgreSQL is the server of BENCH_DATABASE_URL / TEST_DATABASE_URL, else the local one; a
scratch database is created and dropped. BENCH_SEARCH_PRODUCTS=0 skips this section.
"""
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error

import proxy  # for server_url(): the same PostgreSQL the other sections use

PRODUCTS = int(os.environ.get("BENCH_SEARCH_PRODUCTS", "100000"))
WORDS = [("common", "black"), ("rare", "heirloom")]
CATEGORY_PAGE = "/category/kitchen?sort=price&in_stock=1"
CATEGORY_API = "/api/products/?category=kitchen&ordering=price&in_stock=true&page_size=24"
COLUMNS = ("products.id, products.name, products.description, products.price, products.image_url, "
           "products.stock, products.created_at, products.updated_at, categories.slug AS category_slug")
JOIN_CATEGORY = "LEFT JOIN categories ON categories.id = products.category_id"


def queries(backend, word):
    """{(kind, part): [SQL statements]} for `word`: LIKE and the service's full-text query."""
    if backend == "sqlite":
        # SQLite's LIKE ignores ASCII case, as the search does.
        like = f"(products.name LIKE '%{word}%' OR products.description LIKE '%{word}%')"
        join = (f"JOIN (SELECT rowid AS id, bm25(products_fts, 10.0, 1.0) AS score FROM products_fts "
                f"WHERE products_fts MATCH '\"{word}\"*') AS hits ON hits.id = products.id")
        where, score = "1 = 1", "hits.score"
    else:
        like = f"(products.name ILIKE '%{word}%' OR products.description ILIKE '%{word}%')"
        query = f"to_tsquery('simple', '{word}:*')"
        join = ""
        where, score = f"products.search_vector @@ {query}", f"-ts_rank(products.search_vector, {query})"
    like_page = f"SELECT {COLUMNS} FROM products {JOIN_CATEGORY} WHERE {like} ORDER BY products.id LIMIT 24"
    like_count = f"SELECT COUNT(*) FROM products WHERE {like}"
    fts_page = (f"SELECT {COLUMNS} FROM products {join} {JOIN_CATEGORY} WHERE {where} "
                f"ORDER BY {score} ASC, products.id ASC LIMIT 24")
    fts_count = f"SELECT COUNT(*) FROM products {join} WHERE {where}"
    return {
        ("like", "page"): [like_page],
        ("fts", "page"): [fts_page],
        ("like", "page + total"): [like_page, like_count],
        ("fts", "page + total"): [fts_page, fts_count],
    }


def seconds(duration):
    m = re.fullmatch(r"(\d+)(s|m)?", duration)
    return int(m.group(1)) * (60 if m.group(2) == "m" else 1)


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * p / 100))]


def drive_sqlite(path, statements, connections, duration_s):
    """`connections` threads, each with its own connection (they only read), run `statements`
    in a loop for `duration_s`: loops per second and p50/p99 in ms."""
    latencies = [[] for _ in range(connections)]
    start_line = threading.Barrier(connections + 1)
    stop = []

    def worker(i):
        # Read-write: a read-only open of a WAL database fails once its -shm file is gone.
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            start_line.wait()
            while not stop:
                t0 = time.perf_counter()
                for sql in statements:
                    conn.execute(sql).fetchall()
                latencies[i].append((time.perf_counter() - t0) * 1000)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    start_line.wait()
    started = time.perf_counter()
    time.sleep(duration_s)
    stop.append(True)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    all_ms = sorted(ms for per in latencies for ms in per)
    return {"rps": len(all_ms) / elapsed, "p50": percentile(all_ms, 50), "p99": percentile(all_ms, 99)}


def drive_postgres(url, statements, connections, duration_s, workdir):
    """pgbench with `statements` as its transaction: same shape as drive_sqlite."""
    logs = tempfile.mkdtemp(prefix="pgbench-", dir=workdir)
    script = os.path.join(logs, "query.sql")
    with open(script, "w") as f:
        f.write("".join(sql + ";\n" for sql in statements))
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c", str(connections), "-j", "2", "-T", str(duration_s),
         "-f", script, "-l", "--log-prefix", os.path.join(logs, "log"), url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    all_ms = []
    for name in os.listdir(logs):
        if name.startswith("log"):
            with open(os.path.join(logs, name)) as f:
                all_ms.extend(int(line.split()[2]) / 1000 for line in f if line.strip())
    all_ms.sort()
    return {"rps": rps, "p50": percentile(all_ms, 50), "p99": percentile(all_ms, 99)}


def wait_until_up(bench):
    started = time.monotonic()
    while True:
        try:
            if bench["http"]("GET", "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.05)
        if time.monotonic() - started > 120:
            raise SystemExit("server did not start")


def status_of(bench, path):
    try:
        return bench["http"]("GET", path)[0]
    except urllib.error.HTTPError as e:
        return e.code


def run_backend(label, db_url, bench, drive):
    env = dict(bench["env_for"](db_url), SHOP_CATALOGUE_CACHE_SECS="0")
    started = time.monotonic()
    subprocess.run([bench["bin"], "seed", str(PRODUCTS)], env=env, check=True, capture_output=True)
    seed_s = time.monotonic() - started
    log = open(os.path.join(bench["workdir"], f"server-search-{label}.log"), "w")
    server = subprocess.Popen([bench["bin"], "serve"], env=env, stdout=log, stderr=log)
    api = []
    try:
        wait_until_up(bench)
        matches = {}
        for kind, word in WORDS:
            path = f"/api/products/?search={word}&page_size=24"
            matches[word] = json.loads(bench["http"]("GET", path)[1])["count"]
            api.append((f"search {word} ({kind}, {matches[word]:,} found)", path, bench["wrk"](path)))
        # The listing alone, then the whole page (navbar, categories, cart count, HTML).
        api.append(("kitchen by price, in stock (API)", CATEGORY_API, bench["wrk"](CATEGORY_API)))
        if status_of(bench, CATEGORY_PAGE) == 200:
            api.append(("the same, as the category page", CATEGORY_PAGE, bench["wrk"](CATEGORY_PAGE)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    direct = []
    for kind, word in WORDS:
        for (method, part), statements in queries(label, word).items():
            direct.append((word, method, part, drive(statements)))
    return {"seed_s": seed_s, "api": api, "direct": direct, "matches": matches}


def run_all(bench):
    """{backend: run}; PostgreSQL is left out (and said so) when none answers."""
    if PRODUCTS <= 0:
        return {}
    duration_s = seconds(bench["duration"])
    connections = bench["connections"]
    runs = {}
    path = os.path.join(bench["workdir"], "bench-search.db")
    runs["sqlite"] = run_backend(
        "sqlite", f"sqlite://{path}?mode=rwc", bench,
        lambda statements: drive_sqlite(path, statements, connections, duration_s))
    server = proxy.server_url()
    admin = server + "/postgres"
    if subprocess.run(["psql", "-q", admin, "-c", "SELECT 1"], capture_output=True).returncode != 0:
        runs["postgres"] = None
        return runs
    name = f"shop_bench_search_{os.getpid()}"
    subprocess.run(["psql", "-q", admin, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    url = f"{server}/{name}"
    try:
        runs["postgres"] = run_backend(
            "postgres", url, bench,
            lambda statements: drive_postgres(url, statements, connections, duration_s, bench["workdir"]))
    finally:
        subprocess.run(["psql", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       capture_output=True)
    return runs


def report(runs, connections, duration):
    """Prints the tables; returns no budgets (these are figures to compare, not limits)."""
    if not runs:
        return []
    print(f"\n== search at {PRODUCTS:,} products: wrk -t2 -c{connections} -d{duration}, catalogue cache off ==")
    print(f"{'backend':9} {'route':52} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'socket errors':>14}")
    for label, run in runs.items():
        if run is None:
            print(f"{label:9} (no PostgreSQL answers at {proxy.server_url()}; set BENCH_DATABASE_URL)")
            continue
        for name, _, r in run["api"]:
            # wrk gives up on a request after 2 s: those are socket errors (timeouts), not non-2xx.
            print(f"{label:9} {name:52} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['errors']:>8} "
                  f"{r['socket_errors']:>14}")
        print(f"{label:9} seeding {PRODUCTS:,} products (shop seed, batches of 500): {run['seed_s']:.1f} s "
              f"({PRODUCTS / run['seed_s']:,.0f} rows/s)")
    print(f"\n== search vs LIKE '%word%', same database, {connections} connections, {duration}, "
          f"no HTTP (SQLite: Python sqlite3 threads; PostgreSQL: pgbench) ==")
    print(f"{'backend':9} {'word':9} {'query':13} {'LIKE q/s':>9} {'p99 ms':>8} {'FTS q/s':>9} {'p99 ms':>8} {'FTS/LIKE':>9}")
    for label, run in runs.items():
        if run is None:
            continue
        by = {(w, m, p): r for w, m, p, r in run["direct"]}
        for _, word in WORDS:
            for part in ("page", "page + total"):
                like, fts = by[(word, "like", part)], by[(word, "fts", part)]
                print(f"{label:9} {word:9} {part:13} {like['rps']:>9.0f} {like['p99']:>8.2f} "
                      f"{fts['rps']:>9.0f} {fts['p99']:>8.2f} {fts['rps'] / like['rps']:>8.2f}x")
    return []
