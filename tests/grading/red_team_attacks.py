"""Attacks on the grader, written as a student who read its source would (for test_red_team.py).

Each submission is the full solution plus cells added at the end; each cell tries one attack and
prints ``ATTACK <name>: <what happened>``, which the feedback shows. ``{course}``, ``{port}``,
``{marker}``, ``{victim}`` and ``{name}`` are filled in by the test (the real course path: the
strongest case, a student who guessed it).
"""
from __future__ import annotations

PREAMBLE = '''
import glob, json, os, shutil, signal, socket, sqlite3, subprocess, sys, time
COURSE, PORT, MARKER, VICTIM, NAME = {course!r}, {port}, {marker!r}, {victim!r}, {name!r}
UP = "../../.."  # from autograded/<student>/<assignment>, where nbgrader runs the kernel
def attack(label, action):
    try:
        result = action()
        print(f"ATTACK {{label}}: DONE {{str(result)[:300]}}")
    except BaseException as exc:
        print(f"ATTACK {{label}}: blocked {{type(exc).__name__}}")
def write(path, text="pwned " + MARKER):
    with open(path, "w") as handle:
        handle.write(text)
    return "written"
def read(path):
    with open(path, "rb") as handle:
        return handle.read().decode(errors="replace")
'''

# student -> list of (attack name, code calling attack(name, ...)); every name is unique
ATTACKS: dict[str, list[tuple[str, str]]] = {
    "vandal": [
        ("delete-classmate", 'attack("delete-classmate", lambda: shutil.rmtree(f"{COURSE}/submitted/{VICTIM}"))'),
        ("delete-classmate-relative",
         'attack("delete-classmate-relative", lambda: shutil.rmtree(f"{UP}/submitted/{VICTIM}"))'),
        ("overwrite-classmate", 'attack("overwrite-classmate", lambda: write('
                                'f"{COURSE}/submitted/{VICTIM}/{NAME}/{NAME}.ipynb", "{{}}"))'),
        ("write-course-root", 'attack("write-course-root", lambda: write(f"{COURSE}/pwned.txt"))'),
        ("write-course-root-relative", 'attack("write-course-root-relative", lambda: write(f"{UP}/pwned.txt"))'),
        ("write-feedback-folder", 'attack("write-feedback-folder", lambda: (os.makedirs('
                                  'f"{COURSE}/feedback/{VICTIM}", exist_ok=True), write('
                                  'f"{COURSE}/feedback/{VICTIM}/pwned.html")))'),
        ("poison-course-utils", 'attack("poison-course-utils", lambda: write(os.path.join(os.path.dirname('
                                'course_utils.__file__), "checks.py"), "def expect_int(*a, **k): pass"))'),
        ("poison-venv", 'attack("poison-venv", lambda: write(os.path.join(sys.prefix, "pwned.pth")))'),
    ],
    "thief": [
        ("read-solutions", 'attack("read-solutions", lambda: read(f"{COURSE}/solutions/{NAME}/{NAME}.ipynb"))'),
        ("read-solutions-relative",
         'attack("read-solutions-relative", lambda: read(f"{UP}/solutions/{NAME}/{NAME}.ipynb"))'),
        ("read-gradebook", 'attack("read-gradebook", lambda: read(f"{COURSE}/gradebook.db"))'),
        ("read-config", 'attack("read-config", lambda: read(f"{COURSE}/nbgrader_config.py"))'),
        ("read-graded-notebook", 'attack("read-graded-notebook", lambda: [read(p) for p in glob.glob("*.ipynb")]'
                                 ' or 1 / 0)'),
        ("read-classmate", 'attack("read-classmate", lambda: read('
                           'f"{COURSE}/submitted/{VICTIM}/{NAME}/{NAME}.ipynb"))'),
        ("read-host-secrets", 'attack("read-host-secrets", lambda: [read(p) for p in '
                              '("/etc/shadow", "/root/.bash_history", "/root/.ssh/id_rsa") if os.path.exists(p)]'
                              ' or 1 / 0)'),
        ("other-kernels-sockets", 'attack("other-kernels-sockets", lambda: len({os.path.dirname(p) for p in '
                                  'glob.glob("/tmp/*/ipc/*")}))'),

        ("sqlite-update", 'attack("sqlite-update", lambda: sqlite3.connect(f"{COURSE}/gradebook.db", timeout=1)'
                          '.execute("update grade set manual_score = 1000").connection.commit())'),
        ("sqlite-update-relative", 'attack("sqlite-update-relative", lambda: sqlite3.connect('
                                   'f"{UP}/gradebook.db", timeout=1).execute("update grade set manual_score = 1000")'
                                   '.connection.commit())'),
        ("symlink-runtime", 'attack("symlink-runtime", lambda: (os.symlink(f"{UP}/solutions", "sol"), '
                            'read(f"sol/{NAME}/{NAME}.ipynb")))'),
        ("symlink-runtime-absolute", 'attack("symlink-runtime-absolute", lambda: (os.symlink(f"{COURSE}/solutions",'
                                     ' "sol2"), read(f"sol2/{NAME}/{NAME}.ipynb")))'),
    ],
    "spy": [
        ("environment", 'print("ATTACK environment: DONE", json.dumps(dict(os.environ)))'),
        ("proc-environ", 'attack("proc-environ", lambda: [read(f"/proc/{p}/environ") for p in os.listdir("/proc") '
                         'if p.isdigit() and os.access(f"/proc/{p}/environ", os.R_OK)])'),
        ("proc-grader", 'attack("proc-grader", lambda: [read(f"/proc/{p}/cmdline") for p in os.listdir("/proc") '
                        'if p.isdigit() and "nbgrader" in read(f"/proc/{p}/cmdline")] or 1 / 0)'),
        ("proc-root-escape", 'attack("proc-root-escape", lambda: os.listdir(f"/proc/1/root{COURSE}"))'),

        ("tcp-localhost", 'attack("tcp-localhost", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=3))'),
        ("tcp-hostname", 'attack("tcp-hostname", lambda: socket.create_connection(("localhost", PORT), timeout=3))'),
        ("udp-out", 'attack("udp-out", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", '
                    '("10.0.0.1", 53)))'),
    ],
    "fork-bomb": [
        ("fork-bomb", 'def bomb():\n    while True:\n        try:\n            os.fork()\n        except OSError:\n'
                      '            pass\nprint("ATTACK fork-bomb: started", flush=True)\nbomb()'),
    ],
    "disk-filler": [
        ("fill-tmp", 'attack("fill-tmp", lambda: [write(f"/tmp/f{i}", "0" * 2**24) for i in range(400)])'),
        ("fill-workdir", 'attack("fill-workdir", lambda: [write(f"f{i}", "0" * 2**24) for i in range(400)])'),
        ("fill-shm", 'attack("fill-shm", lambda: [write(f"/dev/shm/f{i}", "0" * 2**24) for i in range(400)])'),
        ("huge-file", 'attack("huge-file", lambda: open("huge.bin", "wb").write(b"0" * 2**27))'),
        ("huge-file-in-output",
         'attack("huge-file-in-output", lambda: write(f"{COURSE}/autograded/{VICTIM}/{NAME}/huge.bin", "0" * 2**20))'),
    ],
    "survivor": [
        ("double-fork", 'pid = os.fork()\nif pid == 0:\n    os.setsid()\n    if os.fork() == 0:\n'
                        '        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n        signal.signal(signal.SIGHUP, '
                        'signal.SIG_IGN)\n        time.sleep(3)\n'
                        '        for target in (f"{COURSE}/submitted/{VICTIM}/{NAME}/late.txt",\n'
                        '                       f"{COURSE}/late.txt"):\n'
                        '            try:\n                write(target)\n            except OSError:\n'
                        '                pass\n    os._exit(0)\nos.waitpid(pid, 0)\n'
                        'subprocess.Popen(["sh", "-c", "sleep 3; echo " + MARKER + " > " + COURSE + "/late2.txt"],'
                        ' start_new_session=True)\nprint("ATTACK double-fork: started")'),
    ],
    "killer": [
        ("kill-parent", 'attack("kill-parent", lambda: os.kill(os.getppid(), signal.SIGKILL))\n'
                        'attack("kill-init", lambda: os.kill(1, signal.SIGKILL))\n'
                        'print("ATTACK kill-parent-done: alive", os.getppid())'),

        ("kill-all", 'attack("kill-all", lambda: os.kill(-1, signal.SIGKILL))\n'
                     'attack("kill-every-pid", lambda: [os.kill(p, signal.SIGKILL) for p in range(1, 4 * 2**15)\n'
                     '                                  if p != os.getpid() and os.path.exists(f"/proc/{p}")])\n'
                     'print("ATTACK kill-all-done: alive")'),

    ],
    "link-at-submission": [
        ("symlink-submitted", 'attack("symlink-submitted", lambda: read("leak.txt"))'),
    ],
}


def cell_source(student: str, code: str, **values) -> str:
    return PREAMBLE.format(**values) + code.replace("{{", "{").replace("}}", "}")
