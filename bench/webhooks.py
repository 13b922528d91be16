"""Posts signed gateway callbacks as fast as CONCURRENCY clients can (keep-alive connections),
one event per pending bench payment and one in ten twice; prints events/s and latency."""
import hashlib
import hmac
import http.client
import json
import sys
import threading
import time
import urllib.parse

url, secret, count, concurrency = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), int(sys.argv[4])
target = urllib.parse.urlsplit(url)
bodies = []
for n in range(1, count + 1):
    event = {"id": f"evt_bench_{n}", "type": "payment.succeeded", "checkout": f"chk_bench_{n}", "amount": 1000,
             "currency": "GBP", "created": int(time.time())}
    bodies.append(json.dumps(event, separators=(",", ":")).encode())
    if n % 10 == 0:
        bodies.append(bodies[-1])
latencies, statuses, lock = [], {}, threading.Lock()


def client(share):
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    mine, codes = [], {}
    for body in share:
        stamp = str(int(time.time()))
        mac = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        started = time.perf_counter()
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json", "Payment-Signature": f"t={stamp},v1={mac}"})
        response = connection.getresponse()
        response.read()
        mine.append(time.perf_counter() - started)
        codes[response.status] = codes.get(response.status, 0) + 1
    with lock:
        latencies.extend(mine)
        for code, n in codes.items():
            statuses[code] = statuses.get(code, 0) + n


threads = [threading.Thread(target=client, args=(bodies[i::concurrency],)) for i in range(concurrency)]
started = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - started
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(f"webhook callbacks: {len(bodies)} posted ({len(bodies) - count} repeats) in {elapsed:.1f} s: "
      f"{len(bodies) / elapsed:,.0f} events/s; p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms; statuses {statuses}")
