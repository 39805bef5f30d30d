#!/usr/bin/env python3
"""The kill test's load and verdict (deploy/cluster-test starts the cluster and runs this).

Concurrent shoppers add to their carts and check out through HAProxy. While they do, one
instance is killed with SIGKILL and, later, another is stopped with SIGTERM. Then:

(a) every acknowledged write is in the database: each session's cart holds at least the units
    acknowledged (201) and at most those plus the adds that failed; every acknowledged order
    exists and is settled (paid or placed, never left pending), and no Idempotency-Key made
    two orders;
(b) the only failed requests are ones that were in flight on the SIGKILLed instance: at most
    one per shopper, all around the kill, each traced (by its X-Request-Id, in HAProxy's log)
    to that instance; none on the SIGTERMed one, which drains.

Usage: cluster_test.py STATE_DIR (a directory `deploy/cluster start` filled).
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

SHOPPERS = 8
LOAD_BEFORE_KILL = 4.0  # seconds of load before the SIGKILL
KILL_TO_TERM = 3.0  # then before the SIGTERM
AFTER_TERM_EXIT = 1.0  # load goes on until the SIGTERMed instance has exited, and this long after
# A request counts as in flight on the killed instance when it started before the kill (or
# just after it: HAProxy may have sent it on a connection whose close it had not yet read)
# and its failure came right after the kill.
KILL_SLACK = 0.5
KILL_WINDOW = 2.0
ORDER_EVERY = 4  # every 4th step of a shopper is a checkout of a fresh one-unit cart
STOCK = 1_000_000  # so no add or checkout is refused for stock
ADDRESS = {"name": "Kill Test", "line1": "1 Harbor Road", "line2": "", "city": "Portland",
           "postal_code": "97201", "country": "US"}


def read_env(state):
    env = {}
    with open(os.path.join(state, "cluster.env")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            env[key] = value.strip('"')
    return env


class Client:
    """One keep-alive connection to the proxy, as a browser holds; reopened after a failure."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.conn = None

    def send(self, method, path, body=None, headers=None):
        """(status, parsed JSON or None); status 0 when no response came."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            res = self.conn.getresponse()
            raw = res.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            return 0, None
        if res.will_close:
            self.conn.close()
            self.conn = None
        try:
            return res.status, json.loads(raw) if raw else None
        except ValueError:
            return res.status, None


class Shopper(threading.Thread):
    def __init__(self, n, run, url, products, stop):
        super().__init__(daemon=True)
        self.n, self.run_id, self.products, self.stop = n, run, products, stop
        self.client = Client(url)
        self.requests = []  # dicts: id, kind, session, start, end, status
        self.cart_session = f"{run}-c{n}"
        self.orders = {}  # Idempotency-Key -> order token, when acknowledged
        self.tried_keys = []
        self.replays = 0  # checkouts whose retry got the order an unanswered attempt made

    def call(self, kind, session, method, path, body=None, headers=None):
        rid = f"{self.run_id}-c{self.n}-{len(self.requests)}"
        start = time.monotonic()
        status, reply = self.client.send(method, path, body, {**(headers or {}), "X-Request-Id": rid})
        self.requests.append({"id": rid, "kind": kind, "session": session, "start": start,
                              "end": time.monotonic(), "status": status})
        return status, reply

    def add(self, session, product):
        status, _ = self.call("cart add", session, "POST", "/api/cart/",
                              {"session_id": session, "product_id": product, "quantity": 1})
        return status == 201

    def checkout(self, session):
        key = session  # one key per checkout, kept for its retries
        self.tried_keys.append(key)
        body = {"session_id": session, "email": "kill-test@example.com",
                "shipping_address": ADDRESS, "shipping_method": "standard",
                "payment": {"method": "cash_on_delivery"}}
        # A client that got no answer retries with the same key, as the API asks: the shop
        # returns the order an earlier attempt made (completing it when the instance that
        # made it died before the payment was recorded), or makes it now. A 409 without
        # `unavailable` says an earlier attempt is still paying: retry after Retry-After.
        for _ in range(4):
            status, reply = self.call("checkout", session, "POST", "/api/orders/", body,
                                      {"Idempotency-Key": key})
            if status in (200, 201) and reply and reply.get("token"):
                self.orders[key] = reply["token"]
                self.replays += status == 200
                return
            in_progress = status == 409 and reply is not None and "unavailable" not in reply
            if status not in (0, 502, 503, 504) and not in_progress:
                return
            time.sleep(2.0 if in_progress else 0.2)

    def run(self):
        step = 0
        while not self.stop.is_set():
            step += 1
            product = self.products[step % len(self.products)]
            if step % ORDER_EVERY:
                self.add(self.cart_session, product)
            else:
                session = f"{self.cart_session}-o{step}"
                if self.add(session, product):
                    self.checkout(session)


def psql(db_url, sql):
    out = subprocess.run(["psql", "-Atq", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
                         check=True, capture_output=True, text=True)
    return [line.split("|") for line in out.stdout.splitlines() if line]


def wait_exit(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


LOG_LINE = re.compile(r" shop/(?P<server>\S+) \S+ (?P<status>-?\d+) .* (?P<term>[-\w]{4}) \S+ \S+ "
                      r"\{(?P<rid>[^}|]*)")


ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHOP_REQUEST = re.compile(r"request method=(?P<method>\S+) path=(?P<path>\S+) status=(?P<status>\d+) "
                          r".*request_id=(?P<rid>\S+)")


def shop_logs(state, names):
    """Request ids each instance finished, and its error lines other than /ready saying 503
    while it drains (that is the drain working)."""
    finished, errors = {}, []
    for name in names:
        with open(os.path.join(state, f"{name}.log"), errors="replace") as f:
            for line in f:
                line = ANSI.sub("", line).rstrip()
                m = SHOP_REQUEST.search(line)
                if m:
                    finished[m["rid"]] = name
                if " ERROR " in line:
                    errors.append(f"{name}: {line}")
    return finished, errors


def haproxy_log(state):
    """Request id -> (server, status, termination state); and the server state changes."""
    by_id, events = {}, []
    with open(os.path.join(state, "haproxy.log"), errors="replace") as f:
        for line in f:
            m = LOG_LINE.search(line)
            if m:
                by_id[m["rid"]] = (m["server"], int(m["status"]), m["term"])
            elif ("is DOWN" in line or "is UP" in line) and not line.startswith("["):
                events.append(line.strip())  # the log line, not its copy on stderr
    return by_id, events


class Timeline:
    """The load, with one instance SIGKILLed and then another SIGTERMed while it runs."""

    def __init__(self, url, pids, run):
        self.killed, self.termed = pids[0], pids[1]  # shop1 and shop2 in HAProxy's list
        stop = threading.Event()
        self.shoppers = [Shopper(n, run, url, [1, 2, 3], stop) for n in range(1, SHOPPERS + 1)]
        self.started = time.monotonic()
        for s in self.shoppers:
            s.start()
        time.sleep(LOAD_BEFORE_KILL)
        self.t_kill = time.monotonic()
        os.kill(self.killed, signal.SIGKILL)
        time.sleep(KILL_TO_TERM)
        self.t_term = time.monotonic()
        os.kill(self.termed, signal.SIGTERM)
        self.term_exited = wait_exit(self.termed, 40)
        self.t_term_exit = time.monotonic()
        time.sleep(AFTER_TERM_EXIT)
        stop.set()
        for s in self.shoppers:
            s.join(60)
        self.secs = time.monotonic() - self.started
        self.requests = [r for s in self.shoppers for r in s.requests]
        self.failed = [r for r in self.requests if r["status"] not in (200, 201)]


def check_writes(t, url, db_url, run, problems):
    """(a) Every acknowledged write is in the database. Returns figures for the summary."""
    # Orders first: a session whose order was placed has an empty cart.
    acked_orders = {k: tok for s in t.shoppers for k, tok in s.orders.items()}
    rows = psql(db_url, f"SELECT idempotency_key, count(*), string_agg(status, ',') FROM orders "
                        f"WHERE idempotency_key LIKE '{run}-%' GROUP BY 1")
    per_key = {k: status for k, n, status in rows}
    doubles = {k: status for k, n, status in rows if int(n) > 1}
    if doubles:
        problems.append(f"Idempotency-Keys with more than one order: {doubles}")
    for key, token in acked_orders.items():
        status, order = Client(url).send("GET", f"/api/orders/{token}/")
        if status != 200 or order.get("token") != token or key not in per_key:
            problems.append(f"order {key} (token {token}) acknowledged, but GET answered {status}"
                            f" and the database has {per_key.get(key, 'no order')}")
    pending = sorted(k for k in acked_orders if per_key.get(k) == "pending_payment")
    if pending:
        problems.append(f"acknowledged orders left pending_payment: {pending}")
    placed = {k for k, status in per_key.items() if status in ("placed", "paid")}
    held = {k: int(n) for k, n in psql(db_url, f"SELECT session_id, sum(quantity) FROM cart_items "
                                               f"WHERE session_id LIKE '{run}-%' GROUP BY 1")}
    acked_adds = failed_adds = 0
    for s in t.shoppers:
        adds = {}
        for r in s.requests:
            if r["kind"] == "cart add":
                acked, unsure = adds.get(r["session"], (0, 0))
                adds[r["session"]] = (acked + (r["status"] == 201), unsure + (r["status"] != 201))
        for session, (acked, unsure) in adds.items():
            acked_adds += acked
            failed_adds += unsure
            low, high = (0, 0) if session in placed else (acked, acked + unsure)
            if not low <= held.get(session, 0) <= high:
                problems.append(f"cart {session}: holds {held.get(session, 0)}, expected {low} to {high} "
                                f"({acked} adds acknowledged, {unsure} failed)")
        # The same through the API, on what is left of the cluster.
        status, lines = Client(url).send("GET", "/api/cart/?" + urllib.parse.urlencode({"session_id": s.cart_session}))
        through_api = sum(line["quantity"] for line in lines or [])
        if status != 200 or through_api != held.get(s.cart_session, 0):
            problems.append(f"cart {s.cart_session}: the API answered {status} with {through_api} units, "
                            f"the database has {held.get(s.cart_session, 0)}")
    unanswered_made = sum(k not in acked_orders and k in per_key for s in t.shoppers for k in s.tried_keys)
    summary = (f"cart adds acknowledged {acked_adds} (failed {failed_adds}); orders acknowledged {len(acked_orders)} "
               f"({sum(s.replays for s in t.shoppers)} by replaying an unanswered attempt's Idempotency-Key), "
               f"in the database {len(per_key)} (made by an attempt that never got an answer: {unanswered_made})")
    return summary


def check_failures(t, state, problems):
    """(b) The only failures were in flight on the SIGKILLed instance; the SIGTERMed one drained.

    HAProxy names the instance in its log line, except when the request was not the first on
    its kept-alive client connection: then HAProxy closes that connection without an answer or
    a log line (so that the client may retry, as after a keep-alive race). Such a failure must
    be right at the kill, and no surviving instance may have finished that request."""
    by_id, events = haproxy_log(state)
    finished, shop_errors = shop_logs(state, ["shop2", "shop3"])
    problems += [f"the shop logged an error: {e}" for e in shop_errors]
    if len(t.failed) > SHOPPERS:
        problems.append(f"{len(t.failed)} requests failed, more than the {SHOPPERS} shoppers could have had in flight")
    for r in t.failed:
        server, status, term = by_id.get(r["id"], (None, None, None))
        seen = f"HAProxy: {server} {status} {term}" if server else "HAProxy: closed the connection, no log line"
        when = f"started {r['start'] - t.t_kill:+.3f} s, ended {r['end'] - t.t_kill:+.3f} s from the SIGKILL"
        r["why"] = f"{r['kind']} {r['id']}: client saw {r['status'] or 'no response'}; {seen}; {when}"
        in_flight = r["start"] <= t.t_kill + KILL_SLACK and t.t_kill <= r["end"] <= t.t_kill + KILL_WINDOW
        if server not in (None, "shop1") or not in_flight or r["id"] in finished:
            problems.append(f"failure not in flight on the killed instance: {r['why']}"
                            + (f" (finished by {finished[r['id']]})" if r["id"] in finished else ""))
    if not t.term_exited:
        problems.append("the SIGTERMed instance had not exited 40 s later")
    if not any("shop2 is DOWN" in e for e in events):
        problems.append("HAProxy never took shop2 out of the pool while it drained")
    if not any(r["status"] in (200, 201) and r["start"] > t.t_term_exit for r in t.requests):
        problems.append("no request succeeded after the SIGTERMed instance exited")
    around_term = sum(by_id.get(r["id"], ("",))[0] == "shop2" or t.t_term <= r["end"] for r in t.failed)
    return around_term, events


def main(state):
    env = read_env(state)
    url, db_url = env["PROXY_URL"], env["DATABASE_URL"]
    pids = [int(p) for p in env["PIDS"].split()]
    if len(pids) != 3:
        sys.exit("cluster_test.py: needs a cluster of 3 instances")
    run = f"kill{int(time.time())}"
    psql(db_url, f"UPDATE products SET stock = {STOCK} WHERE id IN (1, 2, 3)")

    t = Timeline(url, pids, run)
    time.sleep(0.5)  # for HAProxy's last log lines
    problems = []
    writes = check_writes(t, url, db_url, run, problems)
    around_term, events = check_failures(t, state, problems)

    print(f"\n== kill test: {SHOPPERS} shoppers through HAProxy for {t.secs:.1f} s; SIGKILL shop1 at "
          f"+{t.t_kill - t.started:.1f} s, SIGTERM shop2 at +{t.t_term - t.started:.1f} s "
          f"(exited {t.t_term_exit - t.t_term:.1f} s later) ==")
    print(f"requests {len(t.requests)}, acknowledged {len(t.requests) - len(t.failed)}, failed {len(t.failed)} "
          f"({around_term} on or after the SIGTERM)")
    print(writes)
    for r in t.failed:
        print(f"  failed: {r['why']}")
    for e in events:
        print(f"  HAProxy: {e}")
    if problems:
        print("VERDICT: FAIL")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("VERDICT: PASS (every acknowledged write is there; the only failures were in flight on the SIGKILLed instance)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
