"""The worker command line (python or accelerate launch) and telling a server that is not there."""

import sys
from pathlib import Path

from loraloop.config import RetrainConfig
from loraloop.retrain.launch import worker_command
from loraloop.retrain.notify import notify_server


def test_worker_command_runs_the_worker_module_directly_or_under_accelerate():
    spec = Path("/jobs/x/job.json")
    assert worker_command(RetrainConfig(), spec) == [sys.executable, "-m", "loraloop.retrain.worker", "--spec",
                                                     str(spec)]
    multi = worker_command(RetrainConfig(launcher="accelerate", num_processes=4), spec)
    assert multi[:3] == [sys.executable, "-m", "accelerate.commands.launch"]
    assert multi[multi.index("--num_processes") + 1] == "4"
    assert multi[-4:] == ["-m", "loraloop.retrain.worker", "--spec", str(spec)]


def test_no_server_target_tells_no_one_and_an_unreachable_server_is_a_note_not_an_error():
    assert notify_server(RetrainConfig(), "legal", 2, "test").notes == []
    told = notify_server(RetrainConfig(server_target="127.0.0.1:1"), "legal", 2, "test")
    [note] = told.notes
    assert told.served_failures == []
    assert note.startswith("server 127.0.0.1:1 not told: LoadAdapter UNAVAILABLE")
