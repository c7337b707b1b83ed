"""A free TCP port on loopback, for the servers the tests start (JupyterLab, PostgreSQL, a hub), and a
listener that counts the connections it gets (what a sandboxed kernel must never reach)."""
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    """A port that nothing listens on at the time of the call (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, name: str, tail: Callable[[], str],
                  timeout: float = 120) -> None:
    """Return once ``url`` answers 200; raise, with ``tail()`` (the server's log), when ``process``
    exits first or ``timeout`` seconds pass."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{name} did not answer within {timeout} s:\n{tail()}")


class Listener:
    """A TCP server on loopback that records every connection it accepts."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.server.close()
