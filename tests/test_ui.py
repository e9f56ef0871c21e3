"""The browser app: section-view routes, and a real Chromium driving the chat."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kernwijzer.ui import build_app
from tests.conftest import settings_env, start_app

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def client(kw, index_settings):
    return TestClient(build_app(kw, index_settings))


def test_section_view_known_doc_has_every_anchor(client, kw):
    for doc_id, doc in kw.snapshot.documents.items():
        page = client.get(f"/bron/{doc_id}")
        assert page.status_code == 200
        for section in doc.sections[1:]:
            assert f'id="{section.anchor}"' in page.text, section.anchor


def test_section_view_highlights_a_citation(client, kw):
    answer = kw.answer("Mag een PA de huisarts vervangen?")
    c = answer.citations[0]
    page = client.get(c.link.split("#")[0])
    mark = re.search(r'<mark class="hl">(.*?)</mark>', page.text, re.S)
    assert mark and "nooit een huisarts kan vervangen" in mark.group(1)
    assert f'id="{c.anchor}"' in page.text


def test_unknown_doc_and_bad_highlight(client):
    missing = client.get("/bron/<script>")
    assert missing.status_code == 404 and "&lt;script&gt;" in missing.text
    page = client.get("/bron/lhv-aanbod-web?q=999999-1000000")
    assert page.status_code == 200 and "<mark" not in page.text


@pytest.mark.parametrize("q", ["???", "12345", "", "x"])
def test_api_refuses_a_question_without_words(client, q):
    res = client.get("/api/ask", params={"q": q})
    assert res.status_code == 400
    assert "error" in res.json() and "Traceback" not in res.text


def test_health(client):
    assert client.get("/health").json()["status"] == "ok"


@pytest.fixture(scope="module")
def running_app(index_settings):
    proc, url = start_app(settings_env(index_settings))
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_chat_in_a_real_browser(running_app, output_dir):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        outside: list[str] = []
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(running_app) or r.url.startswith("data:")
                else outside.append(r.url)
            ),
        )
        page.goto(running_app)
        page.wait_for_selector("#kw-question textarea", timeout=60_000)
        started = time.perf_counter()
        page.fill("#kw-question textarea", "Mag een PA de huisarts vervangen?")
        page.click("#kw-ask")
        page.wait_for_selector("#kw-chat .kw-card", timeout=60_000)
        elapsed = time.perf_counter() - started
        (output_dir / "browser-timing.txt").write_text(
            f"question to rendered answer: {elapsed:.2f} s\n"
        )
        chat = page.inner_text("#kw-chat")
        assert "nooit een huisarts kan vervangen" in chat
        page.locator("#kw-chat .kw-card").first.scroll_into_view_if_needed()
        page.screenshot(path=str(output_dir / "chat-answer.png"), full_page=True)

        link = page.locator("#kw-chat .kw-card a", has_text="open in bron").first
        with page.context.expect_page() as opened:
            link.click()
        source = opened.value
        source.wait_for_selector("mark.hl")
        assert "nooit een huisarts kan vervangen" in source.inner_text("mark.hl")
        assert re.search(r"#[a-z0-9-]+$", source.url)
        source.screenshot(path=str(output_dir / "section-view.png"))

        page.fill(
            "#kw-question textarea", "<script>alert(1)</script><img src=x onerror=alert(2)> U3?"
        )
        page.click("#kw-ask")
        page.wait_for_function(
            "() => document.querySelector('#kw-chat').innerText"
            ".includes('<script>alert(1)</script>')",
            timeout=60_000,
        )
        assert page.locator("#kw-chat img[src='x']").count() == 0
        page.get_by_text("<script>alert(1)</script>").last.scroll_into_view_if_needed()
        page.screenshot(path=str(output_dir / "chat-markup.png"), full_page=True)
        browser.close()
    assert outside == [], f"the page made outbound requests: {outside[:5]}"
