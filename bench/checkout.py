"""Checkout figures for bench.py: orders per second through POST /api/orders/ (cash on
delivery, and card) with p50/p99, on SQLite and, when BENCH_DATABASE_URL or
TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL; then a race: many shoppers
with the same scarce product in their carts check out at once, and the oversell count
(orders beyond the stock) must be 0.

Carts are filled in SQL before the server starts (one session per order), so the timed
runs measure checkout alone.
"""
import json
import os
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

# Sessions with a one-unit cart per wrk thread and payment kind; more than a run can use.
CARTS_PER_THREAD = int(os.environ.get("BENCH_ORDER_CARTS", "40000"))
# Throughput orders spread over 100 products (a shop's orders rarely all want one row);
# the race is the opposite: everyone wants the same few units.
THROUGHPUT_PRODUCTS = (3, 102)
RACE_PRODUCT = 2
RACE_STOCK = 5
RACE_BUYERS = 200

ORDER_SCRIPT = """
-- Each request checks out a session whose cart was filled beforehand: PREFIX-<thread>-<n>.
threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"session_id":"PREFIX-%d-%d","email":"bench@example.com",'
    .. '"shipping_address":{"name":"Bench","line1":"1 Road","line2":"","city":"Town",'
    .. '"postal_code":"12345","country":"US"},"shipping_method":"standard","payment":PAYMENT}',
    tid, counter)
  return wrk.format("POST", "/api/orders/", {["Content-Type"] = "application/json"}, body)
end
"""

PAYMENTS = [
    ("cod", "cash on delivery", '{"method":"cash_on_delivery"}'),
    ("card", "card", '{"method":"card","card_number":"4242424242424242"}'),
]


def fill_carts_sql(prefix, tid, count, first, last):
    # Session i gets one unit of product first + i mod (last - first + 1). Timestamps are
    # copied from the product row: the same text/timestamp format the app writes.
    return (
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
        f"INSERT INTO cart_items (session_id, product_id, quantity, created_at, updated_at) "
        f"SELECT '{prefix}-{tid}-' || i, p.id, 1, p.created_at, p.created_at "
        f"FROM n, products p WHERE p.id = {first} + (i % {last - first + 1});"
    )


def setup_sql(threads):
    statements = [
        "UPDATE products SET stock = 1000000 WHERE id BETWEEN {} AND {};".format(*THROUGHPUT_PRODUCTS),
        f"UPDATE products SET stock = {RACE_STOCK} WHERE id = {RACE_PRODUCT};",
        fill_carts_sql("race", 0, RACE_BUYERS, RACE_PRODUCT, RACE_PRODUCT),
    ]
    for prefix, _, _ in PAYMENTS:
        for tid in range(threads):
            statements.append(fill_carts_sql(prefix, tid, CARTS_PER_THREAD, *THROUGHPUT_PRODUCTS))
    return "\n".join(statements)


def run_sql(db_url, sql):
    if db_url.startswith("sqlite://"):
        path = db_url[len("sqlite://"):].split("?")[0]
        with sqlite3.connect(path, timeout=30) as conn:
            conn.executescript(sql)
    else:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
                       check=True, capture_output=True)


def race(base):
    """RACE_BUYERS concurrent checkouts of a product with RACE_STOCK units."""
    barrier = threading.Barrier(RACE_BUYERS)
    statuses = []
    lock = threading.Lock()

    def buy(i):
        body = json.dumps({
            "session_id": f"race-0-{i}", "email": "race@example.com",
            "shipping_address": {"name": "Race", "line1": "1 Road", "line2": "", "city": "Town",
                                 "postal_code": "12345", "country": "US"},
            "shipping_method": "express", "payment": {"method": "cash_on_delivery"},
        }).encode()
        req = urllib.request.Request(base + "/api/orders/", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status = res.status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(1, RACE_BUYERS + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with urllib.request.urlopen(f"{base}/api/products/{RACE_PRODUCT}/", timeout=10) as res:
        stock = json.loads(res.read())["stock"]
    sold = statuses.count(201)
    refused = statuses.count(409)
    oversell = max(0, sold - RACE_STOCK) + max(0, -stock)
    return {"sold": sold, "refused": refused, "other": len(statuses) - sold - refused,
            "stock": stock, "oversell": oversell,
            "consistent": sold + stock == RACE_STOCK}


def run_backend(label, db_url, bench):
    """Seeds, fills carts, starts the server, runs the order loads and the race."""
    subprocess.run([bench["bin"], "seed", "1000"], env=bench["env_for"](db_url), check=True,
                   capture_output=True)
    run_sql(db_url, setup_sql(threads=2))
    env = bench["env_for"](db_url)
    env["SHOP_MAIL_DIR"] = os.path.join(bench["workdir"], f"mail-{label}")
    log = open(os.path.join(bench["workdir"], f"server-orders-{label}.log"), "w")
    server = subprocess.Popen([bench["bin"], "serve"], env=env, stdout=log, stderr=log)
    try:
        started = time.monotonic()
        while True:
            try:
                if bench["http"]("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.01)
            if time.monotonic() - started > 60:
                raise SystemExit("server did not start")
        results = []
        for prefix, name, payment in PAYMENTS:
            script = os.path.join(bench["workdir"], f"orders-{label}-{prefix}.lua")
            with open(script, "w") as f:
                f.write(ORDER_SCRIPT.replace("PREFIX", prefix).replace("PAYMENT", payment))
            results.append((f"[{label}] POST /api/orders/ ({name})", bench["wrk"]("/api/orders/", script)))
        return {"results": results, "race": race(bench["base"])}
    finally:
        server.terminate()
        server.wait(timeout=30)


def postgres_url(workdir):
    """A fresh PostgreSQL database beside BENCH_DATABASE_URL / TEST_DATABASE_URL, or None."""
    admin = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not admin or not admin.startswith(("postgres://", "postgresql://")):
        return None, None
    name = f"shop_bench_orders_{os.getpid()}"
    subprocess.run(["psql", "-q", admin, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    return admin, admin.rsplit("/", 1)[0] + "/" + name


def run_all(bench):
    runs = {}
    sqlite_path = os.path.join(bench["workdir"], "bench-orders.db")
    runs["sqlite"] = run_backend("sqlite", f"sqlite://{sqlite_path}?mode=rwc", bench)
    admin, pg = postgres_url(bench["workdir"])
    if pg:
        try:
            runs["postgres"] = run_backend("postgres", pg, bench)
        finally:
            name = pg.rsplit("/", 1)[1]
            subprocess.run(["psql", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                           capture_output=True)
    return runs


def report(runs, connections, duration):
    """Prints the figures; returns the budgets (oversell must be 0)."""
    print(f"\n== checkout: wrk -t2 -c{connections} -d{duration}, one prepared one-unit cart per order, 100 products ==")
    print(f"{'route':52} {'orders/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    budgets = []
    for label, run in runs.items():
        for name, r in run["results"]:
            print(f"{name:52} {r['rps']:>10.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['errors']:>8}")
    if "postgres" not in runs:
        print("(PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL to measure it too)")
    print(f"\n== checkout race: {RACE_BUYERS} shoppers, {RACE_STOCK} units, all at once ==")
    for label, run in runs.items():
        r = run["race"]
        print(f"[{label}] sold {r['sold']}, refused (409) {r['refused']}, other {r['other']}, "
              f"stock left {r['stock']}, oversell {r['oversell']}")
        budgets.append((f"[{label}] checkout race oversell = 0 ({r['oversell']}; sold + left = stock: {r['consistent']})",
                        r["oversell"] == 0 and r["consistent"] and r["other"] == 0))
    return budgets
