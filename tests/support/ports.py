"""A free TCP port on loopback, for the servers the tests start (JupyterLab, PostgreSQL, a hub), and a
listener that counts the connections it gets (what a sandboxed kernel must never reach)."""
import socket
import threading


def free_port() -> int:
    """A port that nothing listens on at the time of the call (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
