"""Domain and GPU-slot locks: exclusive across objects and processes, released when the holder dies."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from loraloop.retrain.locks import FileLock, GpuSlots, detect_gpu_slots, domain_lock

REPO = Path(__file__).resolve().parents[2]

# Takes the domain lock, says so on stdout, then waits to be killed.
HOLDER = textwrap.dedent("""
    import sys, time
    from loraloop.retrain.locks import domain_lock
    lock = domain_lock(sys.argv[1], "medical")
    print("held" if lock.try_acquire() else "busy", flush=True)
    time.sleep(600)
""")

# Tries the domain lock once and reports.
PROBE = textwrap.dedent("""
    import sys
    from loraloop.retrain.locks import domain_lock
    print("held" if domain_lock(sys.argv[1], "medical").try_acquire() else "busy", flush=True)
""")


def test_a_held_lock_refuses_a_second_holder_until_released(tmp_path):
    first, second = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert first.try_acquire()
    assert first.held and not second.try_acquire() and not second.held
    assert not first.try_acquire()  # not re-entrant: a second take by the same object is refused too
    first.release()
    assert second.try_acquire()
    assert second.holder_pid() == os.getpid()
    second.release()
    second.release()  # releasing twice is harmless


def test_domains_lock_independently(tmp_path):
    medical, finance = domain_lock(tmp_path, "medical"), domain_lock(tmp_path, "finance")
    assert medical.try_acquire() and finance.try_acquire()
    assert not domain_lock(tmp_path, "medical").try_acquire()


def test_a_domain_name_that_cannot_be_a_file_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="domain="):
        domain_lock(tmp_path, "../etc/passwd")


def test_context_manager_raises_when_the_lock_is_taken(tmp_path):
    with FileLock(tmp_path / "x.lock"), pytest.raises(BlockingIOError), FileLock(tmp_path / "x.lock"):
        pass
    with FileLock(tmp_path / "x.lock") as lock:  # free again after the block
        assert lock.held


def _python(script: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            **kwargs)


def test_another_process_holding_the_lock_blocks_us_and_its_death_frees_it(tmp_path):
    holder = _python(HOLDER, str(tmp_path))
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not domain_lock(tmp_path, "medical").try_acquire()
        holder.send_signal(signal.SIGKILL)  # no chance to release: the kernel must drop the flock
        holder.wait(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    lock = domain_lock(tmp_path, "medical")
    assert lock.try_acquire()
    lock.release()


def test_our_lock_blocks_another_process(tmp_path):
    lock = domain_lock(tmp_path, "medical")
    assert lock.try_acquire()
    probe = _python(PROBE, str(tmp_path))
    assert probe.communicate(timeout=120)[0].strip() == "busy"
    lock.release()
    probe = _python(PROBE, str(tmp_path))
    assert probe.communicate(timeout=120)[0].strip() == "held"


def test_gpu_slots_hand_out_each_slot_once(tmp_path):
    slots = GpuSlots(tmp_path, 2)
    assert {slots.try_acquire(), slots.try_acquire()} == {0, 1}
    assert slots.try_acquire() is None
    assert GpuSlots(tmp_path, 2).try_acquire() is None  # a second daemon on the same lock dir sees them busy
    slots.release(1)
    assert slots.try_acquire() == 1


def test_gpu_slot_detection_is_lazy_and_used_when_slots_is_zero(tmp_path):
    calls = []

    def detect():
        calls.append(1)
        return 3

    slots = GpuSlots(tmp_path, 0, detect=detect)
    assert calls == []  # building the daemon must not import torch
    assert slots.count == 3 and len(calls) == 1
    assert GpuSlots(tmp_path, 2, detect=detect).count == 2 and len(calls) == 1


def test_gpu_slots_refuse_a_negative_count(tmp_path):
    with pytest.raises(ValueError, match="gpu_slots="):
        GpuSlots(tmp_path, -1)


def test_detected_slots_follow_cuda_with_one_for_the_cpu():
    import torch

    cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    assert detect_gpu_slots() == (cuda if cuda else 1)
