"""Helpers for tests/test_browser.py: a hub-like set-up, a JupyterLab server, page text for messages.

Nothing here imports Playwright, so the test module can skip cleanly when it is missing.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
COURSE_ID = "deep-generative-models"

# What the README documents for /etc/jupyter/nbgrader_config.py on the hub.
SITE_CONFIG = '''c = get_config()
c.CourseDirectory.course_id = "{course_id}"
c.Exchange.root = "{exchange}"
c.Exchange.path_includes_course = True
'''

# JupyterLab user settings for a quiet, fully rendered page: no "Jupyter news?" toast over the
# screenshots, no update check (no network), and every notebook cell in the DOM (the default
# windowing mode skips off-screen cells, whose text Playwright then reads as empty).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# Phrases nbgrader's pages show when the exchange or the course id is not set up.
EXCHANGE_ERRORS = ("exchange directory", "does not exist", "could not be created", "no course id",
                   "traceback", "error")


def write_site_config(folder: Path, exchange: Path, course_id: str = COURSE_ID) -> Path:
    """The hub's site-wide nbgrader config in ``folder`` (which plays /etc/jupyter)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nbgrader_config.py"
    path.write_text(SITE_CONFIG.format(course_id=course_id, exchange=exchange))
    return path


def hub_env(site_config_dir: Path, private_dir: Path) -> dict[str, str]:
    """The environment of the hub user's processes: venv first on PATH, site config, private Jupyter dirs.

    The user's own ~/.jupyter and ~/.local/share/jupyter are replaced by empty folders so that
    nothing on the machine running the tests (a kernelspec, a lab setting) changes what is seen.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_CONFIG_PATH"] = str(site_config_dir)
    for var, name in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                      ("JUPYTERLAB_SETTINGS_DIR", "lab-settings")):
        folder = private_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        env[var] = str(folder)
    for relative, settings in LAB_SETTINGS.items():
        path = private_dir / "lab-settings" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    # A kernel started by the server should plot inline as on the hub, not with the test run's Agg.
    env.pop("MPLBACKEND", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, chars: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return text[-chars:]


class JupyterLab:
    """``jupyter lab`` on 127.0.0.1 with a random token, in its own process group, logging to a file."""

    def __init__(self, root: Path, env: dict[str, str], log_path: Path):
        self.root = root
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """``path`` (starting with /) with the token as a query parameter."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{separator}token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        return tail(self.log_path, chars)

    def start(self, timeout: float = 90) -> None:
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={self.root}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(command, cwd=self.root, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode} before answering; "
                                   f"its log ends with:\n{self.log_tail()}")
            request = urllib.request.Request(f"{self.base_url}/api/status",
                                             headers={"Authorization": f"token {self.token}"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer on {self.base_url}/api/status within {timeout:.0f} s "
                           f"({last_error}); its log ends with:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the server's process group (it shuts its kernels down), SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def error_phrases_in(text: str, phrases: tuple[str, ...] = EXCHANGE_ERRORS) -> list[str]:
    lowered = text.lower()
    return [phrase for phrase in phrases if phrase in lowered]


def shorten(text: str, limit: int = 3000) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more characters)"
