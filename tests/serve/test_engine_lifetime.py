"""The engine core's death signal, armed only in the server's direct child."""

from __future__ import annotations

import os
import subprocess
import sys

from loraloop.serve import engine_lifetime

CHILD = """
import os, sys
from loraloop.serve.engine_lifetime import die_with_server
print(die_with_server())
"""


def test_only_the_servers_direct_child_arms_the_death_signal(monkeypatch):
    env = {**os.environ, engine_lifetime.SERVER_PID_ENV: str(os.getpid())}
    child = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
    assert child.stdout.strip() == "True", child.stderr
    other = {**os.environ, engine_lifetime.SERVER_PID_ENV: "1"}  # someone else's child
    child = subprocess.run([sys.executable, "-c", CHILD], env=other, capture_output=True, text=True, timeout=60)
    assert child.stdout.strip() == "False", child.stderr
    monkeypatch.setenv(engine_lifetime.SERVER_PID_ENV, str(os.getpid()))
    assert engine_lifetime.die_with_server() is False  # the server itself never arms it


def test_a_child_whose_server_dies_is_killed(tmp_path):
    # A middle process marks itself the server, starts a child that arms the signal, then dies hard.
    script = tmp_path / "middle.py"
    script.write_text(
        "import os, subprocess, sys, time\n"
        "from loraloop.serve.engine_lifetime import mark_server_process\n"
        "mark_server_process()\n"
        "child = subprocess.Popen([sys.executable, '-c', 'from loraloop.serve.engine_lifetime import die_with_server;"
        " import time; assert die_with_server(); print(\"armed\", flush=True); time.sleep(60)'],"
        " stdout=subprocess.PIPE, text=True)\n"
        "assert child.stdout.readline().strip() == 'armed'\n"
        "print(child.pid, flush=True)\n"
        "os._exit(0)\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    pid = int(out.stdout.split()[-1])
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
