import os

import pytest

from loraloop.adapters import RESERVED_DOMAINS, AdapterSpec, AdapterStore, is_domain_name, parse_adapter_name, sha256_file
from loraloop.config import SimulateConfig
from loraloop.errors import AdapterNotFound, InvalidArgument, PermissionDenied, StoreError
from tests.adapter_files import make_adapter_dir


@pytest.mark.parametrize("text, expected", [
    ("", None), ("base", None),
    ("medical", AdapterSpec(domain="medical")),
    ("medical@v3", AdapterSpec(domain="medical", version=3)),
    ("tax-law_2@v12", AdapterSpec(domain="tax-law_2", version=12)),
])
def test_parse_adapter_name(text, expected):
    assert parse_adapter_name(text) == expected


@pytest.mark.parametrize("text", ["../etc", "medical@v0", "medical@3", "Medical", "med/ical", "medical@v1@v2",
                                  "a" * 80, "medical@vx", " medical"])
def test_parse_adapter_name_rejects_malformed(text):
    with pytest.raises(InvalidArgument, match=r"^adapter: "):
        parse_adapter_name(text)


@pytest.mark.parametrize("name, ok", [
    ("medical", True), ("tax-law_2", True), ("a" * 64, True),
    ("base", False), ("general", False), ("Medical", False), ("1tax", False), ("", False), ("a" * 65, False),
    ("med/ical", False), (None, False), (3, False),
])
def test_is_domain_name_is_the_one_domain_rule(name, ok):
    assert is_domain_name(name) is ok
    assert RESERVED_DOMAINS == ("base", "general")
    if isinstance(name, str):  # the simulation's domain follows the same rule
        if ok:
            assert SimulateConfig(domain=name).domain == name
        else:
            with pytest.raises(ValueError, match=r"^domain="):
                SimulateConfig(domain=name)


def test_publish_numbers_versions_and_records_checksums(tmp_path):
    store = AdapterStore(tmp_path / "store")
    src = make_adapter_dir(tmp_path / "src")
    v1 = store.publish("medical", src, {"method": "sft", "version": 99, "lineage": [1, 2]})
    v2 = store.publish("medical", src, {"method": "dpo"})
    assert (v1.key, v2.key) == ("medical@v1", "medical@v2")
    meta = store.metadata(v1)
    assert meta["version"] == 1  # the caller cannot override identity
    assert meta["lineage"] == [1, 2] and meta["method"] == "sft"
    assert meta["sha256"]["adapter_model.safetensors"] == sha256_file(src / "adapter_model.safetensors")
    assert store.metadata(v2)["parent"] == "medical@v1"
    assert store.latest("medical") == v2 and store.domains() == ["medical"]
    assert not [p for p in (tmp_path / "store").iterdir() if p.name.startswith(".medical-")]  # no temp dirs left


def test_publish_rejects_a_folder_without_weights(tmp_path):
    store = AdapterStore(tmp_path / "store")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidArgument, match=r"adapter_config.json"):
        store.publish("medical", tmp_path / "empty")
    assert store.versions("medical") == []


def test_failed_publish_leaves_no_version(tmp_path, monkeypatch):
    store = AdapterStore(tmp_path / "store")
    src = make_adapter_dir(tmp_path / "src")

    def crash(*args):
        raise OSError("disk full")
    monkeypatch.setattr(os, "rename", crash)
    with pytest.raises(OSError, match="disk full"):
        store.publish("medical", src)
    assert store.versions("medical") == []
    assert [p.name for p in (tmp_path / "store").iterdir() if not p.name.endswith(".lock")] == ["medical"]


def test_get_unknown_version_names_what_exists(tmp_path):
    store = AdapterStore(tmp_path / "store")
    store.publish("medical", make_adapter_dir(tmp_path / "src"))
    with pytest.raises(AdapterNotFound, match=r"medical@v7.*v1"):
        store.get("medical", 7)
    with pytest.raises(AdapterNotFound, match="'finance'"):
        store.latest("finance")


def test_a_version_linked_outside_the_store_is_refused(tmp_path):
    store = AdapterStore(tmp_path / "store")
    outside = make_adapter_dir(tmp_path / "outside")
    (tmp_path / "store" / "evil").mkdir()
    (tmp_path / "store" / "evil" / "v1").symlink_to(outside)
    with pytest.raises(PermissionDenied, match="outside the adapter store"):
        store.get("evil", 1)


def test_corrupt_version_is_a_store_error(tmp_path):
    store = AdapterStore(tmp_path / "store")
    ref = store.publish("medical", make_adapter_dir(tmp_path / "src"))
    (ref.path / "adapter_config.json").write_text("{not json")
    with pytest.raises(StoreError, match="unreadable"):
        store.get("medical", 1)
