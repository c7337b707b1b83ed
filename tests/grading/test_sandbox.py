"""The grading sandbox on its own: one sandboxed kernel answers probes, run as the grader runs it.

Expected values come from the host (what the test itself sets up and sees: a listening socket,
a secret in the environment, files on disk), never from the sandbox's code. Without bubblewrap
these tests are skipped, or fail where ``COURSE_REQUIRE_SANDBOX=1`` (CI).
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from course_utils.grading import launcher, sandbox
from tests.support.grading import require_sandbox
from tests.support.harness import ROOT
from tests.support.ports import Listener

REQUIRED = os.environ.get("COURSE_REQUIRE_SANDBOX") == "1"
SECRET = "s3cret-sandbox-test-value"
LIMITS = sandbox.Limits(memory_mb=1536, cpu_s=120, nproc=96, disk_mb=32)


PROBE = r'''
import json, os, resource, socket, subprocess, sys
def attempt(f):
    try:
        return "ok: " + repr(f())[:200]
    except BaseException as exc:
        return "failed: " + type(exc).__name__
def write(path):
    with open(path, "w") as handle:
        handle.write("x")
    return path
'''

PROBES = {
    "identity": "print(json.dumps(dict(cwd=os.getcwd(), files=sorted(os.listdir('.')), uid=os.getuid(), "
                "caps=[l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1])))",
    "visible": "print(json.dumps({p: os.path.exists(p) for p in PATHS}))",
    "env": "print(json.dumps(dict(os.environ)))",
    "init_environ": "print(json.dumps(attempt(lambda: open('/proc/1/environ', 'rb').read().decode(errors='replace'))))",
    "tcp": "print(json.dumps([attempt(lambda: socket.create_connection((host, PORT), timeout=2)) "
           "for host in ('127.0.0.1', 'localhost', '::1')]))",
    "writes": "print(json.dumps({p: attempt(lambda p=p: write(p)) for p in TARGETS}))",
    "limits": "print(json.dumps({n: resource.getrlimit(getattr(resource, n))[0] for n in "
              "('RLIMIT_AS', 'RLIMIT_CPU', 'RLIMIT_NPROC', 'RLIMIT_FSIZE', 'RLIMIT_CORE')}))",
    "memory": "print(json.dumps(attempt(lambda: len(bytearray(3 * 2**30)))))",
    "big_file": "print(json.dumps(attempt(lambda: open('big.bin', 'wb').write(b'0' * (40 * 2**20)))))\n"
                "os.remove('big.bin')",
    "fill_tmp": "def fill():\n    for i in range(100):\n        open(f'/tmp/f{i}', 'wb').write(b'0' * (8 * 2**20))\n"
                "print(json.dumps(attempt(fill)))\n"
                "[os.remove(f'/tmp/{name}') for name in os.listdir('/tmp') if name[1:].isdigit()]",
    "nproc": "children = []\ndef spawn():\n    while True:\n"
             "        children.append(subprocess.Popen(['sleep', '60']))\n"
             "result = attempt(spawn)\nn = len(children)\n[c.kill() for c in children]\n[c.wait() for c in children]\n"
             "print(json.dumps([result, n]))",
    "processes": "print(json.dumps(sorted(int(p) for p in os.listdir('/proc') if p.isdigit())))",
    # two commands, so that the shell stays (a shell given one command may exec it, and the
    # marker, a comment, would vanish from the process list)
    "stray": "subprocess.Popen(['setsid', 'sh', '-c', 'sleep 300; : ' + MARKER], start_new_session=True); "
             "print('[]')",
}


def _strays(marker: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if marker in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


async def _session(course: Path, preamble: str, marker: str) -> dict:
    from course_utils.grading.sandbox_kernel import SandboxedKernelManager

    km = SandboxedKernelManager(kernel_name="python3")
    km.sandbox.limits = LIMITS
    results: dict = {"base": km.sandbox.base, "marker": marker}
    await km.start_kernel(cwd=str(course), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        for name, code in [("preamble", preamble), *PROBES.items()]:
            out = []
            reply = await kc.execute_interactive(
                code, timeout=120,
                output_hook=lambda m, out=out: out.append(m["content"].get("text", ""))
                if m["msg_type"] == "stream" and m["content"]["name"] == "stdout" else None)
            assert reply["content"]["status"] == "ok", (name, reply["content"])
            if name != "preamble":
                text = "".join(out)
                assert text.strip(), (name, reply["content"])
                results[name] = json.loads(text)
        results["strays_before"] = len(_strays(results["marker"]))
        results["killed"] = km.kill_strays()
        results["strays_after_kill"] = len(_strays(results["marker"]))
        out = []
        await kc.execute_interactive("print(json.dumps(sorted(int(p) for p in os.listdir('/proc') if p.isdigit() "
                                     "and open(f'/proc/{p}/stat').read().split(')')[-1].split()[0] != 'Z')))",
                                     output_hook=lambda m: out.append(m["content"].get("text", ""))
                                     if m["msg_type"] == "stream" else None, timeout=60)
        results["processes_after_kill"] = json.loads("".join(out))
        await kc.execute_interactive("subprocess.Popen(['setsid', 'sh', '-c', 'sleep 300; : ' + MARKER])",
                                     timeout=60)
        results["strays_before_shutdown"] = len(_strays(results["marker"]))
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=False)
    return results


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    require_sandbox()
    course = tmp_path_factory.mktemp("sandbox-course")
    folder = course / "autograded" / "ada" / "01"
    folder.mkdir(parents=True)
    (folder / "data.txt").write_text("a data file of the assignment")
    (folder / "01.ipynb").write_text('{"hidden": "tests"}')
    (course / "gradebook.db").write_text("grades")
    (course / "solutions").mkdir()
    (course / "solutions" / "answer.txt").write_text("the answer")
    listener = Listener()
    marker = f"course-sandbox-stray-{os.getpid()}-{time.time_ns()}"
    paths = [str(ROOT / "solutions"), str(ROOT / "nbgrader_config.py"), str(ROOT / "tests"), str(course),
             str(course / "solutions" / "answer.txt"), str(course / "gradebook.db"), "/home/student/work"]
    paths += [str(p) for p in Path.home().iterdir() if not any(r.startswith(str(p)) for r in sandbox._python_roots())]
    targets = [str(course / "new.txt"), str(ROOT / "course_utils" / "new.py"), str(Path(sys.prefix) / "new.txt"),
               "/usr/new.txt", "/etc/new.txt", "/run/submission/new.txt", "/new.txt", "/home/student/work/ok.txt"]
    preamble = PROBE + f"PATHS = {paths!r}\nTARGETS = {targets!r}\nPORT = {listener.port}\nMARKER = {marker!r}\n"
    secrets = {"COURSE_DB_URL": f"postgresql://grader:{SECRET}@db/gradebook", "COURSE_TEST_PASSWORD": SECRET}
    saved = {k: os.environ.get(k) for k in secrets}
    os.environ.update(secrets)
    try:
        results = asyncio.run(_session(folder, preamble, marker))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        time.sleep(0.5)
        listener.close()
    results.update(course=course, listener=listener, targets=targets, marker=marker,
                   strays_after_shutdown=len(_strays(marker)))
    return results


def test_the_kernel_works_in_a_private_copy_without_the_notebook(probed):
    identity = probed["identity"]
    assert identity["cwd"] == "/home/student/work"
    assert identity["files"] == ["data.txt"], "the notebook being graded (hidden tests) must not be copied"
    if os.geteuid() == 0:
        assert identity["uid"] != 0 and int(identity["caps"], 16) == 0, "runs as root or with capabilities"
    assert probed["writes"]["/home/student/work/ok.txt"].startswith("ok"), "its own folder must be writable"


def test_nothing_of_the_course_or_the_host_is_visible(probed):
    visible = probed["visible"]
    assert visible.pop("/home/student/work") is True
    assert not any(visible.values()), visible


def test_no_secret_reaches_the_kernel(probed):
    env = probed["env"]
    assert SECRET not in json.dumps(env) and "COURSE_DB_URL" not in env
    assert set(env) <= set(sandbox.kernel_environment(os.environ)) | {"MPLBACKEND", "PWD", "TERM", "PAGER", "GIT_PAGER",
                                                                        "CLICOLOR", "CLICOLOR_FORCE",
                                                                        "FORCE_COLOR", "PYDEVD_USE_FRAME_EVAL",
                                                                        "JPY_SESSION_NAME"}
    assert SECRET not in probed["init_environ"]


def test_no_network_not_even_loopback(probed):
    assert all(result.startswith("failed") for result in probed["tcp"]), probed["tcp"]
    assert probed["listener"].accepted == 0


def test_writes_outside_its_copy_fail_and_leave_nothing(probed):
    for path, result in probed["writes"].items():
        if path != "/home/student/work/ok.txt":
            assert result.startswith("failed"), (path, result)
            assert not Path(path).exists() or path.startswith(("/usr/", "/etc/")) and Path(path).stat().st_size != 1
    assert not (probed["course"] / "new.txt").exists()
    assert not probed["base"].exists(), "the sandbox's folder on the grader's side is removed"


def test_limits_are_set_and_enforced(probed):
    limits = probed["limits"]
    assert limits["RLIMIT_AS"] == LIMITS.memory_mb * 2**20
    assert limits["RLIMIT_CPU"] == LIMITS.cpu_s
    assert limits["RLIMIT_NPROC"] == LIMITS.nproc
    assert limits["RLIMIT_FSIZE"] == LIMITS.disk_mb * 2**20
    assert limits["RLIMIT_CORE"] == 0
    assert probed["memory"] == "failed: MemoryError"  # 3 GiB under a 1.5 GiB limit
    assert probed["big_file"].startswith("failed")  # 40 MiB, limit 32 MiB
    assert probed["fill_tmp"].startswith("failed")  # 800 MiB into a 32 MiB /tmp
    result, spawned = probed["nproc"]
    assert result.startswith("failed") and 0 < spawned < LIMITS.nproc


def test_the_grader_is_invisible_and_no_process_outlives_the_sandbox(probed):
    assert max(probed["processes"]) < 1000 and 1 in probed["processes"], "a PID namespace of its own"
    assert probed["strays_before"] >= 1 and probed["killed"] >= 1 and probed["strays_after_kill"] == 0
    assert len(probed["processes_after_kill"]) <= 3, probed["processes_after_kill"]
    assert probed["strays_before_shutdown"] >= 1 and probed["strays_after_shutdown"] == 0


# ----------------------------------------------------------------------- without a kernel

def test_launcher_rejects_bad_arguments_and_sets_limits(tmp_path):
    with pytest.raises(ValueError, match="whole number"):
        launcher.parse(["--memory-mb", "lots", "--", "true"])
    with pytest.raises(ValueError, match="no command"):
        launcher.parse(["--nproc", "5"])
    done = subprocess.run([sys.executable, "-I", "-S", launcher.__file__, "--memory-mb", "700", "--fsize-mb", "3",
                           "--", sys.executable, "-c",
                           "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0], "
                           "resource.getrlimit(resource.RLIMIT_FSIZE)[0])"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == [str(700 * 2**20), str(3 * 2**20)], done.stderr


def test_settings_are_checked():
    assert sandbox.enabled({}) and not sandbox.enabled({"COURSE_SANDBOX": "off"})
    with pytest.raises(ValueError, match="'on' or 'off'"):
        sandbox.enabled({"COURSE_SANDBOX": "maybe"})
    with pytest.raises(ValueError, match="COURSE_SANDBOX_NPROC"):
        sandbox.Limits.from_env({"COURSE_SANDBOX_NPROC": "-1"})
    assert sandbox.Limits.from_env({"COURSE_MEMORY_MB": "100"}).memory_mb == 100


def _course(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "solutions" / "01_x").mkdir(parents=True)
    (tmp_path / "submitted" / "ada" / "01_x").mkdir(parents=True)
    (tmp_path / "submitted" / "ada" / "01_x" / "01_x.ipynb").write_text("{}")
    return tmp_path


def test_without_bubblewrap_nothing_is_graded_and_the_fix_is_named(tmp_path):
    course = _course(tmp_path)
    no_bwrap = tmp_path / "bin"
    no_bwrap.mkdir()
    env = dict(os.environ, PATH=str(no_bwrap))  # no bwrap on PATH
    env.pop("COURSE_SANDBOX", None)
    done = subprocess.run([sys.executable, "-m", "course_utils.grading.autograde", "--root", str(course)],
                          env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "apt-get install bubblewrap" in done.stderr and "nothing was graded" in done.stderr
    assert not (course / "autograded").exists() and not (course / "grades.csv").exists()


def test_the_opt_out_warns_on_every_run(tmp_path):
    course = tmp_path
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for flags, extra in ((["--no-sandbox"], {}), ([], {"COURSE_SANDBOX": "off"})):
        done = subprocess.run([sys.executable, "-m", "course_utils.grading.autograde", "--root", str(course), *flags],
                              env=dict(os.environ, **extra), capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert done.returncode == 0 and "WITHOUT a sandbox" in done.stderr, done.stdout + done.stderr


def test_a_normal_user_gets_the_same_sandbox(tmp_path):
    """The sandbox made by an unprivileged user (user namespaces): no network, no secret, no host files."""
    require_sandbox()
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3 to run the sandbox's code as another user")
    listener = Listener()
    probe = (f"import os, socket\nprint(os.path.exists({str(ROOT / 'solutions')!r}), 'SECRET' in str(os.environ))\n"
             f"try:\n    socket.create_connection(('127.0.0.1', {listener.port}), timeout=2); print('connected')\n"
             "except OSError:\n    print('no network')\n")
    script = (f"import importlib.util, sys\nspec = importlib.util.spec_from_file_location('sb', {sandbox.__file__!r})\n"
              "sb = importlib.util.module_from_spec(spec); sys.modules['sb'] = sb; spec.loader.exec_module(sb)\n"
              "assert sb.problem(python=sys.executable) is None, sb.problem(python=sys.executable)\n"
              "box = sb.Sandbox(sb.Limits(memory_mb=512, cpu_s=20, nproc=32, disk_mb=8), python=sys.executable)\n"
              f"import subprocess\ndone = subprocess.run(box.command([sys.executable, '-c', {probe!r}]), "
              "capture_output=True, text=True, env={'PATH': '/usr/bin:/bin', 'SECRET': '1'})\n"
              "box.cleanup(); print(done.stdout, done.stderr)\n")
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", script]
    else:
        command = [python, "-c", script]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
    finally:
        listener.close()
    if done.returncode != 0 and "No permissions to create" in done.stdout + done.stderr and not REQUIRED:
        pytest.skip("user namespaces are disabled for normal users here: " + done.stderr[-300:])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split()[:3] == ["False", "False", "no"], done.stdout + done.stderr
    assert listener.accepted == 0
