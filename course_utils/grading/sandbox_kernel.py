"""jupyter_client and nbgrader plugged into the grading sandbox (:mod:`.sandbox`).

- :class:`SandboxedKernelManager`: an ``AsyncKernelManager`` whose kernel runs in a
  :class:`~course_utils.grading.sandbox.Sandbox`: ZeroMQ over Unix sockets (``ipc`` transport)
  in the sandbox's socket folder, the kernel command wrapped in ``bwrap``, an empty environment
  for bwrap itself (its ``/proc/1/environ`` is readable inside), interrupts sent as messages
  (bwrap does not forward signals), and :meth:`~SandboxedKernelManager.kill_strays`, which
  kills every process of the sandbox except the kernel.
- :class:`SandboxedExecute`: the course's :class:`~course_utils.grading.plugins.ResilientExecute`
  with that kernel manager, and no process of a cell outlives it (a fork bomb, a server left
  running, a double-forked child are killed when the cell ends); a kernel that does not answer
  even after its cell's timeout and interrupt is replaced, like a dead one. With ``COURSE_SANDBOX=off``
  it runs kernels as before, with a warning; when the sandbox cannot be made it starts no kernel.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from course_utils.grading import sandbox
from course_utils.grading.plugins import ResilientExecute

__all__ = ["SandboxedKernelManager", "SandboxedExecute", "SandboxUnavailable", "OFF_WARNING"]

OFF_WARNING = ("WARNING: grading WITHOUT a sandbox (COURSE_SANDBOX=off): student code runs with "
               "your rights and can read and change every file you can, the gradebook included.")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be made on this machine; the message says what to install or enable."""


def _ns_pid(pid: int) -> int | None:
    """The process id of host process ``pid`` inside its own PID namespace."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in a fresh sandbox (one per manager, kept across restarts)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        reason = sandbox.problem()
        if reason:
            raise SandboxUnavailable(reason)
        self.sandbox = sandbox.Sandbox()
        self.transport = "ipc"
        self.ip = str(self.sandbox.ipc / "kernel-ipc")
        self.connection_file = str(self.sandbox.ipc / "kernel.json")
        self._staged = False

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if not self._staged:  # the folder nbgrader grades in, as it is when the first kernel starts
            if kw.get("cwd"):  # without one the kernel starts in an empty folder (never the course's)
                self.sandbox.stage(kw["cwd"])
            self._staged = True
        self.sandbox.renew_identity()
        self.sandbox.give_socket_folder(self.connection_file)
        environ = dict(os.environ, **(kw.get("env") or {}))
        command = self.sandbox.command(list(kernel_cmd), environ)
        kw["env"] = {"PATH": os.defpath, "LANG": "C.UTF-8"}  # bwrap's own environment
        kw["cwd"] = str(self.sandbox.base)
        return await super()._async_launch_kernel(command, **kw)

    async def interrupt_kernel(self):
        """Interrupt by a message on the control channel (ipykernel then signals itself), after
        killing the other processes of the sandbox (a fork bomb would starve the kernel)."""
        if not self.has_kernel:
            raise RuntimeError("Cannot interrupt kernel. No kernel is running!")
        self.kill_strays()
        message = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, message)

    def _sandbox_processes(self):
        """(kernel, other processes of the sandbox) as psutil processes."""
        import psutil

        process = getattr(self.provisioner, "process", None)
        if process is None:
            return None, []
        try:
            descendants = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return None, []
        # host bwrap -> namespace init (pid 1) -> the kernel (pid 2, after setpriv and the launcher)
        kernel = next((p for p in descendants if _ns_pid(p.pid) == 2), None)
        init = next((p for p in descendants if _ns_pid(p.pid) == 1), None)
        others = []
        for process in descendants:
            try:
                if process not in (kernel, init) and process.status() != psutil.STATUS_ZOMBIE:
                    others.append(process)  # a zombie is already dead: its parent reaps it
            except psutil.Error:
                continue
        return kernel, others

    def kill_strays(self) -> int:
        """Kill every process of the sandbox but the kernel; returns how many there were."""
        import psutil

        _, others = self._sandbox_processes()
        for process in others:
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        psutil.wait_procs(others, timeout=5)
        return len(others)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.sandbox.cleanup()

    cleanup_resources = _async_cleanup_resources

    def __del__(self):  # a kernel that never started: its folder goes too
        box = getattr(self, "sandbox", None)
        if box is not None and Path(box.base).exists():
            box.cleanup()


class SandboxedExecute(ResilientExecute):
    """ResilientExecute with each kernel in a sandbox, and no process outliving its cell."""

    def __init__(self, **kwargs):
        if sandbox.enabled():
            kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        if not sandbox.enabled():
            self.log.warning(OFF_WARNING)

    def preprocess_cell(self, cell, resources, index):
        from nbclient.exceptions import CellTimeoutError

        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:  # interrupted, and still no answer (e.g. starved by a fork bomb)
            return self._lose_cell(cell, index, "CellTimeoutError",
                                   "this cell ran out of time and its kernel stopped answering")
        finally:
            if isinstance(self.km, SandboxedKernelManager):
                killed = self.km.kill_strays()
                if killed:
                    self.log.warning("Cell %d left %d processes running: killed", index, killed)
