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


def _reply_answer_box(page) -> dict[str, float]:
    return page.evaluate(
        """() => {
        const rows = document.querySelectorAll('#kw-chat .message-row.bot-row');
        const a = rows[rows.length - 1].querySelector('.kw-answer').getBoundingClientRect();
        const c = document.querySelector('#kw-chat').getBoundingClientRect();
        return {top: a.top, bottom: a.bottom, chatTop: c.top, chatBottom: c.bottom,
                height: window.innerHeight};
    }"""
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_answer_is_on_screen_after_each_reply(running_app, output_dir, width, height):
    from playwright.sync_api import sync_playwright

    questions = [
        ("Mag een PA de huisarts vervangen?", "answer"),
        ("Wat betekent urgentie U3?", "second-answer"),
        ("What is the maximum dose of ibuprofen?", "refusal"),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(running_app)
        page.wait_for_selector("#kw-question textarea", timeout=60_000)
        for n, (question, name) in enumerate(questions):
            page.fill("#kw-question textarea", question)
            page.click("#kw-ask")
            page.wait_for_function(
                f"() => document.querySelectorAll('#kw-chat .message-row.bot-row').length > {n}",
                timeout=60_000,
            )
            page.wait_for_timeout(300)  # the scroll runs two frames after the render
            box = _reply_answer_box(page)
            # The short answer's first lines are visible: in the window and in the chat box.
            assert 0 <= box["top"] < box["height"] - 40, (name, box)
            assert box["chatTop"] <= box["top"] < box["chatBottom"] - 20, (name, box)
            page.screenshot(path=str(output_dir / f"chat-{name}-{width}.png"))
        reply = page.locator("#kw-chat .message-row.bot-row").last
        # A refusal says so first; its nearest passages are folded and marked as no answer.
        assert reply.locator(".kw-answer").inner_text().startswith("The sources do not answer")
        folded = reply.locator("details.kw-more")
        assert folded.count() == 1 and "not an answer" in folded.locator("summary").inner_text()
        assert not folded.locator(".kw-card").first.is_visible()
        # An answer shows its three strongest passages and folds the rest.
        first = page.locator("#kw-chat .message-row.bot-row").first
        assert first.locator(":scope .kw-card:not(details .kw-card)").count() == 3
        assert first.locator("details.kw-more summary").inner_text().startswith("Meer passages")
        browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_controls_do_what_they_say(running_app, output_dir):
    from playwright.sync_api import sync_playwright

    bot_rows = "#kw-chat .message-row.bot-row"
    insurer = "Verzekeraars: Huisartsenzorg en multidisciplinaire zorg (zorgaanbieders)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(running_app)
        page.wait_for_selector("#kw-question textarea", timeout=60_000)

        def replies(n: int) -> None:
            page.wait_for_function(
                f"() => document.querySelectorAll('{bot_rows}').length >= {n}", timeout=60_000
            )

        assert page.locator("#kw-ask").is_disabled()  # an empty question cannot be sent
        page.locator(".kw-chip", has_text="Wat betekent urgentie U3?").click()  # asks at once
        replies(1)
        assert "U3" in page.locator(bot_rows).last.inner_text()
        assert "Ook gezocht op" not in page.inner_text("#kw-chat")  # internals stay in the JSON
        assert page.locator("#kw-chat button[aria-label*='hare']").count() == 0

        # Under a filter the reply names the sources searched and says when they are silent.
        page.get_by_label(insurer).check()
        page.fill("#kw-question textarea", "Mag een PA de huisarts vervangen?")
        page.click("#kw-ask")
        replies(2)
        filtered = page.locator(bot_rows).last.inner_text()
        assert filtered.startswith("De gekozen bron(nen) beantwoorden deze vraag niet")
        assert "Gezocht in: Huisartsenzorg en multidisciplinaire zorg" in filtered
        page.screenshot(path=str(output_dir / "chat-filtered.png"))

        # "Nieuw gesprek" clears the chat, the filters and the follow-up memory: "Waarom?"
        # no longer borrows the previous question and is refused as a question without words.
        page.click("#kw-new")
        page.wait_for_function("() => !document.querySelector('#kw-chat .message-row')")
        assert not page.get_by_label(insurer).is_checked()
        page.fill("#kw-question textarea", "Waarom?")
        page.click("#kw-ask")
        replies(1)
        assert "geen woorden om op te zoeken" in page.locator(bot_rows).last.inner_text()
        browser.close()
