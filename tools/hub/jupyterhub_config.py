"""JupyterHub configuration of the demo hub (`make hub`; started by tools/hub/hub.py, which sets
the COURSE_HUB_* variables read here and prepares the users, homes and exchange).

Only for a demo on one machine: the password is the same for everybody. A real deployment keeps
the single-user part (the course's environment, nbgrader's extensions, the same exchange
settings) and replaces the rest: see the README, "A course of several hundred".
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub)

STATE = Path(os.environ["COURSE_HUB_STATE"])
PREFIX = os.environ.get("COURSE_HUB_PREFIX", "dl1-")
BIN = Path(os.environ["COURSE_HUB_BIN"])
INSTRUCTOR = f"{PREFIX}instructor"
STUDENTS = [f"{PREFIX}{name}" for name in ("ada", "bob", "cy")]

# Loopback only; the ports of the hub's API and the proxy's API may be moved (tests run several).
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.environ["COURSE_HUB_PROXY"]]

# The hub's own state, readable by root only.
PRIVATE = STATE / "private"
c.JupyterHub.db_url = f"sqlite:///{PRIVATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(PRIVATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(PRIVATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(PRIVATE / "proxy.pid")

# Demo log-in: one shared password, and only the demo's users (never root or another OS user).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("COURSE_HUB_PASSWORD", "dl1-demo")
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}

# Each user's server runs as their own OS user (nbgrader names students after it), in their home.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # nbgrader runs `alembic` from PATH; the course's environment comes first
    "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
    "VIRTUAL_ENV": str(BIN.parent),
    # the exchange and course id, for every user (tools/hub/hub.py writes this file)
    "JUPYTER_CONFIG_PATH": str(STATE / "etc" / "jupyter"),
    "LANG": "C.UTF-8",
}
