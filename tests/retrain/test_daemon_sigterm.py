"""SIGTERM/SIGINT stop the daemon cleanly: the running job gets the cancel, the run is recorded, exit code 0.

Run as a module (`python -m tests.retrain.test_daemon_sigterm DB STORE STATE MARKS`) this file is also the
test-only daemon process: the real CLI handler with a fake slow runner that waits for the cancel event.
"""

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loraloop.retrain.cli import add_daemon_flags, run_daemon_command
from loraloop.retrain.run_log import RunLog
from tests.adapter_files import make_store

REPO = Path(__file__).resolve().parents[2]


def _slow_runner(marks: Path):
    from loraloop.retrain.jobs import JobResult

    def run(domain, method, config, *, on_progress=None, cancel=None):
        (marks / "started").write_text(f"{domain} {method}")
        cancelled = cancel.wait(300)  # bounded: a daemon that never cancels fails the test, not hangs CI
        (marks / "cancelled").write_text(str(cancelled))
        return JobResult(domain=domain, method=method, outcome="killed" if cancelled else "failed", version=None,
                         reason="cancelled by the daemon" if cancelled else "never cancelled", metrics={},
                         duration_s=1.0, pairs=0)
    return run


def _child(argv: list[str]) -> None:
    import logging

    db, store, state, marks = argv
    parser = argparse.ArgumentParser()
    add_daemon_flags(parser)
    args = parser.parse_args(["--db-url", db, "--adapter-store", store, "--state-dir", state, "--domains", "medical",
                              "--schedule-interval-s", "0.001", "--min-new-pairs", "0", "--no-retrain-on-drift",
                              "--metrics-port", "0", "--poll-interval-s", "0.1", "--gpu-slots", "1"])
    logging.basicConfig(level=logging.INFO)
    # The runner and the pending-pairs count are fakes: this process must not load (or build) a model.
    run_daemon_command(args, runner=_slow_runner(Path(marks)), pending=lambda _config, _domain: 0)
    print("daemon exited cleanly", flush=True)


def _wait_for(path: Path, process: subprocess.Popen, bound_s: float = 120) -> None:
    deadline = time.monotonic() + bound_s
    while not path.exists():
        assert process.poll() is None, f"daemon died early: {process.communicate()[0]}"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_cancels_the_running_job_and_the_daemon_exits_cleanly(tmp_path, signum):
    store = make_store(tmp_path)
    db, marks = tmp_path / "feedback.sqlite", tmp_path / "marks"
    marks.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.retrain.test_daemon_sigterm", str(db), str(store), str(tmp_path / "state"),
         str(marks)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(marks / "started", child)
        child.send_signal(signum)
        output, _ = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, output
    assert "daemon exited cleanly" in output
    assert (marks / "cancelled").read_text() == "True"
    runs = RunLog(db).runs("medical")
    assert [(r["outcome"], r["reason"]) for r in runs] == [("killed", "cancelled by the daemon")]
    assert runs[0]["trigger_reason"].startswith("schedule: ")


def test_daemon_flags_cover_both_configs_and_bad_values_name_the_field(tmp_path):
    parser = argparse.ArgumentParser()
    add_daemon_flags(parser)
    args = parser.parse_args(["--db-url", str(tmp_path / "f.sqlite"), "--poll-interval-s", "0"])
    assert args.db_url.endswith("f.sqlite") and args.poll_interval_s == 0.0
    with pytest.raises(ValueError, match=r"^poll_interval_s="):
        run_daemon_command(args)
    for flag in ("--gpu-slots", "--domain-overrides", "--failure-cooldown-s", "--beta", "--min-pairs-dpo"):
        assert flag in parser.format_help()


if __name__ == "__main__":
    _child(sys.argv[1:])
