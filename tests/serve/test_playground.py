"""The playground page (serve/playground) in a real headless Chromium, against the session's real server.

A person's loop, by the page's element hooks (documented at the top of serve/playground/app.js): pick an
adapter, stream an answer, thumbs it down, regenerate it; the feedback store then holds both signals.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass

import pytest

from loraloop import storage

selenium = pytest.importorskip("selenium", reason="selenium is in the dev extra: pip install -e '.[dev]'")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = pytest.mark.skipif(
    not (CHROMEDRIVER and CHROMIUM),
    reason="needs Chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver; "
           "scripts/install-ops-tools.sh installs them)")

PROMPT = "I have had a headache since this morning. What should I do?"
ANSWER_TIMEOUT_S = 180  # 2 shared cores: the first answer may queue behind other tests' requests


@dataclass(frozen=True)
class SeenAnswer:
    """What the page showed for one finished answer."""

    response_id: str
    text: str
    meta: str
    adapter: str
    arm: str


def _chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager is never asked to download anything (CI is offline).
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))


def _finished_answer(driver, *, not_id: str = "") -> SeenAnswer:
    """Waits for the last answer on the page to finish streaming (a new one when `not_id` is given)."""

    def finished(d):
        answers = d.find_elements(By.CSS_SELECTOR, "#conversation .answer")
        if not answers:
            return False
        answer = answers[-1]
        state = answer.get_attribute("data-state")
        if state == "error":
            raise AssertionError(f"the page shows an error: {answer.find_element(By.CSS_SELECTOR, '.error').text}")
        response_id = answer.get_attribute("data-response-id") or ""
        if state != "done" or not response_id or response_id == not_id:
            return False
        return SeenAnswer(response_id=response_id,
                          text=answer.find_element(By.CSS_SELECTOR, ".text").get_attribute("textContent"),
                          meta=answer.find_element(By.CSS_SELECTOR, ".meta").text,
                          adapter=answer.get_attribute("data-adapter"), arm=answer.get_attribute("data-arm"))

    return WebDriverWait(driver, ANSWER_TIMEOUT_S, ignored_exceptions=[StaleElementReferenceException]).until(finished)


def _click_when_enabled(driver, selector: str) -> None:
    WebDriverWait(driver, 30).until(EC.element_to_be_clickable((By.CSS_SELECTOR, selector))).click()


def _wait_for_ack(driver, kind: str) -> str:
    """Waits for the answer's acknowledgement of `kind`; fails with the page's words when the server refused."""

    def acked(d):
        ack = d.find_element(By.CSS_SELECTOR, "#conversation .answer .ack")
        if ack.get_attribute("data-kind") != kind:
            return False
        if ack.get_attribute("data-status") == "failed":
            raise AssertionError(f"{kind} refused: {ack.text}")
        return ack.text

    return WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(acked)


def _thumbs_down_then_regenerate(url: str) -> tuple[SeenAnswer, SeenAnswer, list[dict]]:
    """Drives the page (blocking: runs in a thread while the server's loop keeps serving)."""
    driver = _chromium()
    try:
        driver.get(url)
        WebDriverWait(driver, 30).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, '#model option[value="medical"]')))
        Select(driver.find_element(By.ID, "model")).select_by_value("medical")
        for field, value in (("temperature", "0"), ("max-tokens", "16")):
            box = driver.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        driver.find_element(By.ID, "prompt").send_keys(PROMPT)
        driver.find_element(By.ID, "send").click()
        first = _finished_answer(driver)

        _click_when_enabled(driver, "#conversation .answer button.thumbs-down")
        assert "recorded" in _wait_for_ack(driver, "THUMBS_DOWN")
        _click_when_enabled(driver, "#conversation .answer button.regenerate")
        second = _finished_answer(driver, not_id=first.response_id)
        assert len(driver.find_elements(By.CSS_SELECTOR, "#conversation .answer")) == 1, "regenerate replaces"
        WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.ID, "rollout").get_attribute("data-domain") == "medical")
        return first, second, driver.get_log("browser")
    finally:
        driver.quit()


def _kinds(db, response_id: str) -> list[str]:
    conn = storage.connect(db, readonly=True)
    try:
        return [k for (k,) in conn.execute("SELECT kind FROM signals WHERE response_id = ? ORDER BY id", [response_id])]
    finally:
        conn.close()


def _regenerate_of(db, response_id: str) -> str | None:
    conn = storage.connect(db, readonly=True)
    try:
        row = conn.execute("SELECT regenerate_of FROM responses WHERE id = ?", [response_id]).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


async def test_a_thumbs_down_and_a_regenerate_in_the_page_reach_the_feedback_store(server, feedback_config):
    url = f"http://127.0.0.1:{server.http_port}/"
    first, second, console = await asyncio.to_thread(_thumbs_down_then_regenerate, url)

    for seen in (first, second):
        assert seen.text.strip(), seen
        assert seen.adapter.startswith("medical@v") and seen.adapter in seen.meta, seen
        assert seen.arm in ("stable", "canary") and f"arm {seen.arm}" in seen.meta, seen
        assert seen.response_id in seen.meta
    assert f"regenerated from {first.response_id}" in second.meta
    assert not [e for e in console if e["level"] == "SEVERE"], console

    # Writes are batched: poll until both signals (and the regenerated answer's link) are committed.
    db = feedback_config.db_file()
    deadline = time.monotonic() + 15
    while True:
        kinds = _kinds(db, first.response_id)
        link = _regenerate_of(db, second.response_id)
        if ({"THUMBS_DOWN", "REGENERATE"} <= set(kinds) and link) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert "THUMBS_DOWN" in kinds and "REGENERATE" in kinds, kinds
    assert link == first.response_id
    # The page measured how long the first answer was on screen and sent it when it was regenerated.
    assert "DWELL" in kinds, kinds
