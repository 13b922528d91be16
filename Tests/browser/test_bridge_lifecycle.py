"""BR-1: `meter-bridge` as a service manager runs it. SIGTERM stops it even while a client that
began a WebSocket upgrade has gone quiet; such a client is cut off after ten seconds, while a
caller whose request head is whole is left to its request."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import conftest
from conftest import free_port


def is_closed(sock):
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False


def test_a_bridge_stops_on_sigterm_though_a_client_stalled_mid_handshake():
    spool = tempfile.mkdtemp(prefix="meterline-bridge-", dir="/tmp")
    port = free_port()
    env = dict(os.environ, BRIDGE_SECRET="a-bridge-secret-of-thirty-two-characters")
    # No portal behind it: the bridge keeps trying, which is all this test needs.
    bridge = subprocess.Popen([str(conftest.ROOT / ".build" / "debug" / "meter-bridge"), "--portal", "http://127.0.0.1:9",
                               "--port", str(port), "--spool", spool, "--log-level", "critical"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.time() < deadline, "the bridge did not start"
                time.sleep(0.2)
        stalled = socket.create_connection(("127.0.0.1", port))
        stalled.sendall(b"GET /meter HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"POST /read-all HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n")
        time.sleep(11)
        assert is_closed(stalled)
        assert not is_closed(slow)
        slow.close()
        # Another client stalls, and the bridge is told to stop at once: it still ends, by itself.
        again = socket.create_connection(("127.0.0.1", port))
        again.sendall(b"GET /meter HTTP/1.1\r\n")
        asked = time.time()
        bridge.send_signal(signal.SIGTERM)
        assert bridge.wait(timeout=25) == 0
        assert time.time() - asked < 15
        again.close()
        stalled.close()
    finally:
        if bridge.poll() is None:
            bridge.kill()
        subprocess.run(["rm", "-rf", spool])
