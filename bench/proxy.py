"""Through the proxy, for bench.py: req/s and p99 through HAProxy with 1, 2 and 3 instances on
one PostgreSQL database, each as a ratio to 1 instance. Starts each cluster with
deploy/cluster (the production example's config) and stops it before the next.

On a 2-core machine wrk, HAProxy, PostgreSQL and the instances share the same cores, so the
curve flattens early: the figures say what this machine does, not what more machines would.
"""
import os
import subprocess
import tempfile

INSTANCES = [1, 2, 3]
ROUTES = [
    ("no-work route (GET /health)", "/health"),
    ("GET /api/products/{id}/", "/api/products/7/"),
    ("page: product /product/7", "/product/7"),
]


def server_url():
    """The PostgreSQL server of BENCH_DATABASE_URL / TEST_DATABASE_URL, else the local one."""
    url = (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
           or "postgres://postgres@127.0.0.1:5432/postgres")
    return url.split("?")[0].rsplit("/", 1)[0]


def read_env(state):
    with open(os.path.join(state, "cluster.env")) as f:
        return dict(line.strip().replace('"', "").split("=", 1) for line in f if "=" in line)


def run_all(bench):
    """{instances: [(route name, wrk result)]}, or None without PostgreSQL."""
    if subprocess.run(["psql", "-q", server_url() + "/postgres", "-c", "SELECT 1"],
                      capture_output=True).returncode != 0:
        return None
    cluster = os.path.join(bench["root"], "deploy/cluster")
    env = dict(os.environ,
               SHOP_WRITE_RATE_LIMIT="0",  # the load generator is one address
               RUST_LOG="warn",  # a log line per request would measure the disk
               SHOP_SHUTDOWN_DRAIN_SECS="0")  # nobody is left to drain for
    database = f"{server_url()}/shop_bench_proxy_{os.getpid()}"
    runs = {}
    for n in INSTANCES:
        state = tempfile.mkdtemp(prefix=f"cluster-{n}-", dir=bench["workdir"])
        # A fresh database each time (dropped on stop), so every size starts alike.
        subprocess.run([cluster, "start", "--instances", str(n), "--port", "0", "--seed", "1000",
                        "--database-url", database, "--drop-database", "--state", state],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        try:
            base = read_env(state)["PROXY_URL"]
            runs[n] = [(name, bench["wrk"](path, base=base)) for name, path in ROUTES]
        finally:
            subprocess.run([cluster, "stop", "--state", state], env=env, check=True,
                           stdout=subprocess.DEVNULL)
    return runs


def report(runs, connections, duration):
    """Prints the table; returns the budgets (no errors through the proxy)."""
    if runs is None:
        print(f"\n(through the proxy: no PostgreSQL answers at {server_url()}; set BENCH_DATABASE_URL)")
        return []
    print(f"\n== through the proxy: HAProxy (deploy/haproxy.cfg) + N instances on PostgreSQL, "
          f"wrk -t2 -c{connections} -d{duration} ==")
    print(f"{'route':34} {'instances':>9} {'req/s':>10} {'p99 ms':>8} {'vs 1':>6} {'errors':>7}")
    budgets = []
    for name, _ in ROUTES:
        one = dict(runs[INSTANCES[0]])[name]["rps"]
        for n, results in runs.items():
            r = dict(results)[name]
            failed = r["errors"] + r["socket_errors"]
            print(f"{name:34} {n:>9} {r['rps']:>10.0f} {r['p99']:>8.2f} {r['rps'] / one:>5.2f}x {failed:>7}")
    errors = sum(r["errors"] + r["socket_errors"] for results in runs.values() for _, r in results)
    budgets.append((f"through the proxy: no failed requests ({errors})", errors == 0))
    return budgets
