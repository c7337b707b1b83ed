"""`make lab` serves JupyterLab on the course: /lab answers over HTTP, with the course's settings."""
import json
import os
import signal
import subprocess
import time
import urllib.request

from tests.support.harness import ROOT
from tests.support.ports import free_port


def test_make_lab_serves_jupyterlab(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    args = "--no-browser --ServerApp.ip=127.0.0.1 --IdentityProvider.token= --ServerApp.password="
    server = subprocess.Popen(["make", "-s", "lab", f"PORT={port}", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, status, body = time.time() + 90, None, ""
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=5) as response:
                    status, body = response.status, response.read().decode("utf-8", "replace")
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, "JupyterLab did not answer on /lab"
        assert "JupyterLab" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/lectures", timeout=5) as response:
            listing = response.read().decode()
        assert "01_conv_arithmetic.ipynb" in listing, "the lab is not serving the course folder"
        # the course's settings overrides (tools/setup.mk) are in effect: no "Jupyter news" pop-up
        notification = f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification"
        with urllib.request.urlopen(notification, timeout=5) as response:
            defaults = json.load(response)["schema"]["properties"]
        assert defaults["fetchNews"]["default"] == "false", defaults["fetchNews"]
        assert defaults["checkForUpdates"]["default"] is False, defaults["checkForUpdates"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
