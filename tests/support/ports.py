"""A free TCP port on loopback, for the servers the tests start (JupyterLab, PostgreSQL, a hub)."""
import socket


def free_port() -> int:
    """A port that nothing listens on at the time of the call (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
