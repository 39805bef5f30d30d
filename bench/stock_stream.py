"""Live stock for bench.py: how long a stock change takes to reach 1,000 open SSE streams.

Starts the release server on a fresh database seeded with 1,000 products, makes an admin
(`shop admin create`) and a Bearer API token (signing in and creating it through the
account's forms, as end2end/schemathesis/run does), then opens 1,000 streams
`GET /api/stock/events?products=ID` from one asyncio process (raw sockets, HTTP/1.1, the
chunked body read and its SSE lines parsed as they come), all on the same product: a
thousand shoppers with its page open. Once every stream has its 200 and the server's first
line (`retry:`), 20 times: note the time, adjust the product's stock through the staff API
(`POST /api/products/{id}/stock/`, +1 then -1, ...), and note when each stream sees the
`event: stock` with the new value. The latency of an arrival is its time minus the time
before the POST; p50, p99 and max are over all 20,000 arrivals, and an arrival missing 5 s
after its change counts as missing (the budget: none, and p99 within a second).

On SQLite that is one instance. On PostgreSQL (a scratch database beside BENCH_DATABASE_URL /
TEST_DATABASE_URL, only when one is set) two instances share the database: half the streams
are on the instance the change is posted to, half on the other, which learns of it only
through NOTIFY/LISTEN; both halves are shown.

The streams are read by one Python process on the same cores as the server: its own delay
in reading 1,000 sockets is part of the figures, so they are an upper bound.
"""
import asyncio
import json
import os
import re
import resource
import subprocess
import time
import urllib.error
import urllib.request

import forms  # bench/forms.py: the shop's forms posted as a browser does

STREAMS = int(os.environ.get("BENCH_STREAMS", "1000"))
CHANGES = int(os.environ.get("BENCH_STREAM_CHANGES", "20"))
PRODUCTS = 1000
PRODUCT = 7  # the product every stream watches (the others' pages bench too)
DEADLINE_S = 5.0  # an arrival later than this after its change is missing
BUDGET_P99_MS = 1000.0  # the "within a second"
ADMIN = ("stream-bench@example.com", "stream bench passphrase")
# Open file descriptors: each stream is a socket on both sides (one process each).
NOFILE = 16384


def raise_nofile():
    """Raises this process's open-file limit (the server, its child, inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < STREAMS + 256:
        raise SystemExit(f"stock stream bench: the open-file limit is {soft}; {STREAMS} streams need more")


def nofile_in_child():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(NOFILE, hard)), hard))


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def get_json(base, path, token=None):
    req = urllib.request.Request(base + path)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


def adjust(base, token, delta, reason):
    """The staff API's adjustment: the product's new stock."""
    body = json.dumps({"delta": delta, "reason": reason}).encode()
    req = urllib.request.Request(f"{base}/api/products/{PRODUCT}/stock/", data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())["stock"]


def admin_token(base):
    """Signs the admin in through the form and creates an API token through the account's
    form (the 201 page shows it once), as end2end/schemathesis/run does with curl."""
    post, _ = forms.form_poster(base)
    post("/account/login", {"email": ADMIN[0], "password": ADMIN[1]})
    found = re.search(r"hp_[0-9a-f]{32}", post("/account/tokens", {"name": "stock stream bench"}))
    if not found:
        raise SystemExit("stock stream bench: could not make an API token (did the admin sign in?)")
    return found.group(0)


def wait_until_up(base, server, log_path):
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=5) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
        if server.poll() is not None or time.monotonic() - started > 60:
            with open(log_path) as f:
                tail = f.read()[-2000:]
            raise SystemExit(f"stock stream bench: server did not start\n{tail}")


class Stream:
    """One SSE stream on a raw socket: the status, and the `event: stock` values as they come."""

    def __init__(self, index, host, port, group):
        self.index, self.host, self.port, self.group = index, host, port, group
        self.status = None
        self.content_type = ""
        self.first_line = asyncio.Event()  # the server's first line (`retry:`) or event came
        self.retry_seen = False
        self.closed = False
        self.error = None
        self.resyncs = 0
        self.unexpected = 0
        self.writer = None

    async def open(self, path):
        reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                          f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode())
        await self.writer.drain()
        status_line = await reader.readline()
        parts = status_line.split()
        self.status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
        headers = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.content_type = headers.get("content-type", "")
        self.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        self.length = int(headers["content-length"]) if "content-length" in headers else None
        return reader

    async def body(self, reader):
        """The body's bytes as they come, de-chunked."""
        if self.chunked:
            while True:
                size_line = await reader.readline()
                if not size_line:
                    return
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return
                yield await reader.readexactly(size)
                await reader.readexactly(2)  # CRLF after each chunk
        elif self.length is not None:
            yield await reader.readexactly(self.length)
        else:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                yield data

    async def run(self, path, watch):
        """Reads the stream until it ends; each stock value is handed to `watch`."""
        try:
            reader = await self.open(path)
            if self.status != 200:
                self.first_line.set()
                return
            buffer = b""
            event, data = "message", []
            async for piece in self.body(reader):
                buffer += piece
                *lines, buffer = buffer.split(b"\n")
                for raw in lines:
                    line = raw.rstrip(b"\r").decode()
                    if line == "":
                        if data or event != "message":
                            self.dispatch(event, "\n".join(data), watch)
                        event, data = "message", []
                        continue
                    self.first_line.set()
                    if line.startswith(":"):
                        continue  # a comment: the keep-alive ping
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "event":
                        event = value
                    elif name == "data":
                        data.append(value)
                    elif name == "retry":
                        self.retry_seen = True
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.closed = True
            self.first_line.set()

    def dispatch(self, event, data, watch):
        if event == "resync":
            self.resyncs += 1
            return
        if event != "stock":
            self.unexpected += 1
            return
        try:
            payload = json.loads(data)
            product, stock = int(payload["product_id"]), int(payload["stock"])
        except (ValueError, KeyError, TypeError):
            self.unexpected += 1
            return
        if product != PRODUCT or not watch(self, stock):
            self.unexpected += 1

    def close(self):
        if self.writer is not None:
            self.writer.close()


def figures(ms, missing, streams):
    """Arrivals and percentiles; a missing arrival counts as never (infinitely late)."""
    ms = sorted(ms) + [float("inf")] * missing
    return {"streams": streams, "arrivals": len(ms) - missing, "missing": missing,
            "p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": ms[-1] if ms else 0.0}


def ms_text(value):
    return f"{value:>8.1f}" if value != float("inf") else f"{'never':>8}"


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * p / 100))]


async def measure(targets, post_base, token, server_pids):
    """Opens the streams over `targets` ([(group, host, port, count)]), then times CHANGES
    adjustments posted to `post_base`."""
    loop = asyncio.get_running_loop()
    path = f"/api/stock/events?products={PRODUCT}"
    streams = []
    for group, host, port, count in targets:
        streams += [Stream(len(streams) + i, host, port, group) for i in range(count)]
    rss_before = {pid: rss_kb(pid) for pid in server_pids}

    # What the streams wait for now: the change's number and value; arrivals[k][i] = seconds.
    current = {"k": -1, "stock": None, "t0": 0.0, "pending": 0}
    arrivals = [dict() for _ in range(CHANGES)]
    all_in = asyncio.Event()

    def watch(stream, stock):
        k = current["k"]
        if k < 0 or stock != current["stock"] or stream.index in arrivals[k]:
            return False
        arrivals[k][stream.index] = time.perf_counter() - current["t0"]
        current["pending"] -= 1
        if current["pending"] == 0:
            all_in.set()
        return True

    opened_at = time.perf_counter()
    tasks = []
    # In batches, so the listen backlog never overflows into SYN retries (a second each).
    for start in range(0, len(streams), 100):
        batch = streams[start:start + 100]
        tasks += [asyncio.create_task(s.run(path, watch)) for s in batch]
        try:
            await asyncio.wait_for(asyncio.gather(*(s.first_line.wait() for s in batch)), 30)
        except asyncio.TimeoutError:
            pass  # counted below: streams that never sent `retry:`
    open_s = time.perf_counter() - opened_at
    refused = sum(1 for s in streams if s.status != 200)
    not_sse = sum(1 for s in streams if s.status == 200 and "text/event-stream" not in s.content_type)
    no_retry = sum(1 for s in streams if s.status == 200 and not s.retry_seen)
    await asyncio.sleep(0.5)  # any stream the server is still setting up
    rss_open = {pid: rss_kb(pid) for pid in server_pids}
    live = [s for s in streams if s.status == 200 and not s.closed]

    stock = await loop.run_in_executor(None, lambda: get_json(post_base, f"/api/products/{PRODUCT}/")["stock"])
    post_ms = []
    for k in range(CHANGES):
        delta, reason = (1, "received") if k % 2 == 0 else (-1, "correction")
        all_in.clear()
        current.update(k=k, stock=stock + delta, pending=len(live), t0=time.perf_counter())
        try:
            new = await loop.run_in_executor(None, adjust, post_base, token, delta, reason)
        except urllib.error.HTTPError as e:
            raise SystemExit(f"stock stream bench: the adjustment answered {e.code}: {e.read()[:300]!r}")
        post_ms.append((time.perf_counter() - current["t0"]) * 1000)
        if new != stock + delta:
            raise SystemExit(f"stock stream bench: stock went {stock} -> {new}, expected {stock + delta}")
        stock = new
        if current["pending"] > 0:
            try:
                remaining = DEADLINE_S - (time.perf_counter() - current["t0"])
                await asyncio.wait_for(all_in.wait(), max(0.0, remaining))
            except asyncio.TimeoutError:
                pass
        current["k"] = -1
        await asyncio.sleep(0.05)  # let the server and the readers settle between changes

    closed_early = sum(1 for s in live if s.closed)
    errors = sorted({s.error for s in streams if s.error})[:3]
    for s in streams:
        s.close()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    groups = {}
    for group, _, _, _ in targets:
        members = [s.index for s in live if s.group == group]
        ms = [arrivals[k][i] * 1000 for k in range(CHANGES) for i in members if i in arrivals[k]]
        groups[group] = figures(ms, len(members) * CHANGES - len(ms), len(members))
    every = [v * 1000 for per in arrivals for v in per.values()]
    # Refused streams miss every change.
    total = figures(every, len(streams) * CHANGES - len(every), len(live))
    post_ms.sort()
    return {"groups": groups, "total": total, "refused": refused, "not_sse": not_sse,
            "no_retry": no_retry, "closed_early": closed_early, "errors": errors,
            "resyncs": sum(s.resyncs for s in streams), "unexpected": sum(s.unexpected for s in streams),
            "open_s": open_s, "post_p50": percentile(post_ms, 50), "post_max": post_ms[-1] if post_ms else 0.0,
            "rss_before_kb": sum(rss_before.values()), "rss_open_kb": sum(rss_open.values())}


def start_server(bench, db_url, label, addr=None):
    env = dict(bench["env_for"](db_url),
               SHOP_STOCK_STREAMS_PER_CLIENT="5000",  # every stream comes from 127.0.0.1
               SHOP_MAX_CONNECTIONS="4096",
               SHOP_MAIL_DIR=os.path.join(bench["workdir"], f"mail-stream-{label}"))
    if addr:
        env["LEPTOS_SITE_ADDR"] = addr
    log_path = os.path.join(bench["workdir"], f"server-stream-{label}.log")
    log = open(log_path, "w")
    server = subprocess.Popen([bench["bin"], "serve"], env=env, stdout=log, stderr=log,
                              preexec_fn=nofile_in_child)
    base = f"http://{env['LEPTOS_SITE_ADDR']}"
    try:
        wait_until_up(base, server, log_path)
    except BaseException:
        stop(server)
        raise
    return server, base


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def prepare(bench, db_url):
    env = bench["env_for"](db_url)
    subprocess.run([bench["bin"], "seed", str(PRODUCTS)], env=env, check=True, capture_output=True)
    subprocess.run([bench["bin"], "admin", "create", ADMIN[0]], env=dict(env, SHOP_ADMIN_PASSWORD=ADMIN[1]),
                   check=True, capture_output=True)


def host_port(base):
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def run_sqlite(bench):
    path = os.path.join(bench["workdir"], "bench-stream.db")
    url = f"sqlite://{path}?mode=rwc"
    prepare(bench, url)
    server, base = start_server(bench, url, "sqlite")
    try:
        token = admin_token(base)
        host, port = host_port(base)
        return asyncio.run(measure([("one instance", host, port, STREAMS)], base, token, [server.pid]))
    finally:
        stop(server)


def run_postgres(bench, url):
    """Two instances on one database: the change is posted to the first; half the streams
    are on each."""
    prepare(bench, url)
    first, base = start_server(bench, url, "postgres-a")
    host, port = host_port(base)
    try:
        second, other = start_server(bench, url, "postgres-b", addr=f"{host}:{port + 1}")
        try:
            token = admin_token(base)
            half = STREAMS // 2
            targets = [("same instance", host, port, half),
                       ("other instance (NOTIFY)", host, port + 1, STREAMS - half)]
            return asyncio.run(measure(targets, base, token, [first.pid, second.pid]))
        finally:
            stop(second)
    finally:
        stop(first)


def postgres_admin_url():
    """BENCH_DATABASE_URL / TEST_DATABASE_URL when it names PostgreSQL, else None."""
    admin = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not admin or not admin.startswith(("postgres://", "postgresql://")):
        return None
    return admin


def scratch_url(admin, name):
    """`admin` with its database name replaced by `name` (its query string kept)."""
    head, sep, query = admin.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + sep + query


def run_all(bench):
    """{backend: run}."""
    raise_nofile()
    runs = {"sqlite": run_sqlite(bench)}
    admin = postgres_admin_url()
    if admin:
        name = f"shop_bench_stream_{os.getpid()}"
        subprocess.run(["psql", "-q", admin, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
        try:
            runs["postgres"] = run_postgres(bench, scratch_url(admin, name))
        finally:
            subprocess.run(["psql", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                           capture_output=True)
    return runs


def report(runs):
    """Prints the table; returns the budgets (nothing missing, p99 within a second)."""
    print(f"\n== live stock: {STREAMS:,} SSE streams on one product (GET /api/stock/events?products={PRODUCT}), "
          f"{CHANGES} staff adjustments, time from before the POST to each stream's event ==")
    print(f"{'backend':9} {'instance':32} {'streams':>7} {'arrivals':>9} {'missing':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    budgets = []
    for label, run in runs.items():
        rows = list(run["groups"].items())
        if len(rows) > 1:
            rows.append(("all", run["total"]))
        for group, r in rows:
            print(f"{label:9} {group:32} {r['streams']:>7} {r['arrivals']:>9} {r['missing']:>8} "
                  f"{ms_text(r['p50'])} {ms_text(r['p99'])} {ms_text(r['max'])}")
        t = run["total"]
        servers = "server" if len(run["groups"]) == 1 else "servers' (both)"
        print(f"{label:9} opening the streams {run['open_s']:.2f} s; {servers} RSS {run['rss_before_kb'] / 1024:.1f} MB "
              f"before, {run['rss_open_kb'] / 1024:.1f} MB with them open; the POST itself p50 {run['post_p50']:.1f} ms, "
              f"max {run['post_max']:.1f} ms")
        trouble = {"refused (not 200)": run["refused"], "200 but not text/event-stream": run["not_sse"],
                   "no retry: line first": run["no_retry"], "closed during the run": run["closed_early"],
                   "resync events": run["resyncs"], "unexpected events": run["unexpected"]}
        odd = [f"{n} {what}" for what, n in trouble.items() if n]
        if odd or run["errors"]:
            print(f"{label:9} streams: {', '.join(odd)}{'; ' if odd and run['errors'] else ''}{'; '.join(run['errors'])}")
        budgets.append((f"[{label}] live stock: every event arrives ({t['missing']} of {STREAMS * CHANGES:,} missing "
                        f"after {DEADLINE_S:.0f} s; {run['refused']} streams refused)",
                        t["missing"] == 0 and run["refused"] == 0))
        budgets.append((f"[{label}] live stock: p99 change-to-stream <= {BUDGET_P99_MS:.0f} ms ({ms_text(t['p99']).strip()}{' ms' if t['p99'] != float('inf') else ''})",
                        t["arrivals"] > 0 and t["p99"] <= BUDGET_P99_MS))
    if "postgres" not in runs:
        print("(PostgreSQL, two instances through NOTIFY/LISTEN: set BENCH_DATABASE_URL or TEST_DATABASE_URL to measure it too)")
    return budgets
