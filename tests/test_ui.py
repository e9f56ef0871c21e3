"""The browser app: section-view routes, and a real Chromium driving the chat."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kernwijzer.web.app import build_app
from tests.conftest import BROWSER_ARGS, CHROMIUM, settings_env, start_app


@pytest.fixture(scope="module")
def client(kw, index_settings):
    return TestClient(build_app(kw, index_settings), base_url="http://127.0.0.1:7860")


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


def test_the_api_offers_the_memo_ready_citations(client):
    data = client.get("/api/ask", params={"q": "Mag een PA de huisarts vervangen?"}).json()
    first = data["citations"][0]
    assert first["citation"].startswith(f"“{first['quote'].strip()}”")
    assert "LHV en NHG" in first["citation"] and "datum onbekend" in first["citation"]
    assert data["citation"].startswith(data["answer"]) and "[1] “" in data["citation"]
    english = client.get("/api/ask", params={"q": "Wat betekent U3?", "lang": "en"}).json()
    assert "date unknown" in english["citations"][0]["citation"]
    assert client.get("/api/ask", params={"q": "U3?", "lang": "de"}).status_code == 422


def test_health(client):
    assert client.get("/health").json()["status"] == "ok"


def test_the_app_listens_before_the_model_is_loaded(index_settings, embedder):
    """Started, not yet loaded: health says loading, the API asks to come back, the chat
    says it is loading and keeps the question; once loaded, all of them answer."""
    from kernwijzer.pipeline import Kernwijzer
    from kernwijzer.web.turn import respond

    kw = Kernwijzer(index_settings, embedder)  # not warmed up: as just after a start
    started = TestClient(build_app(kw, index_settings), base_url="http://127.0.0.1:7860")
    health = started.get("/health")
    assert health.status_code == 503 and health.json()["status"] == "loading"
    ask = started.get("/api/ask", params={"q": "Wat betekent U3?"})
    assert ask.status_code == 503 and ask.headers["retry-after"]
    chat, _, kept, _ = respond(kw, "Wat betekent U3?", [], [], [], False, [])
    assert "bezig met laden" in chat[-1]["content"] and kept == "Wat betekent U3?"
    kw.warm_up()
    assert started.get("/health").json()["status"] == "ok"
    assert started.get("/api/ask", params={"q": "Wat betekent U3?"}).json()["citations"]


PUBLIC_URL = "https://kernwijzer.example.nl"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def running_app(index_settings, data_dir):
    env = {
        **settings_env(index_settings),
        "KERNWIJZER_PUBLIC_URL": PUBLIC_URL,
        "KERNWIJZER_DATA_DIR": str(data_dir),
    }
    proc, url = start_app(env)
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
        const row = rows[rows.length - 1];
        const users = document.querySelectorAll('#kw-chat .message-row.user-row');
        const u = users[users.length - 1].getBoundingClientRect();
        const a = row.querySelector('.kw-answer').getBoundingClientRect();
        const r = row.querySelector('.kw-rate').getBoundingClientRect();
        const q = row.querySelector('.kw-card blockquote').getBoundingClientRect();
        const c = document.querySelector('#kw-chat').getBoundingClientRect();
        let scroller = row.parentElement;
        while (scroller && scroller.scrollHeight <= scroller.clientHeight + 1) {
          scroller = scroller.parentElement;
        }
        const atEnd = !scroller
          || scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
        return {top: a.top, bottom: a.bottom, chatTop: c.top, chatBottom: c.bottom,
                user_top: u.top, user_bottom: u.bottom, rate_bottom: r.bottom,
                quote_top: q.top, height: window.innerHeight, at_end: atEnd};
    }"""
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_answer_is_on_screen_after_each_reply(running_app, output_dir, width, height):

    questions = [
        ("Mag een PA de huisarts vervangen?", "answer"),
        ("Wat betekent urgentie U3?", "second-answer"),
        ("What is the maximum dose of ibuprofen?", "refusal"),
    ]
    with chat_page(running_app, width, height) as page:
        for n, (question, name) in enumerate(questions):
            page.fill("#kw-question textarea", question)
            page.click("#kw-ask")
            page.wait_for_function(
                f"() => document.querySelectorAll('#kw-chat .message-row.bot-row').length > {n}",
                timeout=60_000,
            )
            page.wait_for_timeout(300)  # the scroll runs two frames after the render
            box = _reply_answer_box(page)
            # The user's question is at the top of the window, whole; the short answer and
            # its 👍/👎 below it, in the window and in the chat box; for an answer, the
            # first quote's opening lines too.
            assert 0 <= box["user_top"] < box["user_bottom"] <= box["top"], (name, box)
            # At the top, unless the reply is too short for the chat to scroll that far.
            assert box["user_top"] < 80 or box["at_end"], (name, box)
            assert 0 <= box["top"] < box["height"] - 40, (name, box)
            assert box["chatTop"] <= box["top"] < box["chatBottom"] - 20, (name, box)
            assert box["rate_bottom"] <= min(box["height"], box["chatBottom"]), (name, box)
            if name != "refusal":
                # The short answer is quoted text; below it the first card's quote begins,
                # unless the short answer (a whole table, say) fills the screen itself.
                seen = min(box["height"], box["chatBottom"])
                assert box["quote_top"] < seen - 40 or box["bottom"] < seen, (name, box)
            page.screenshot(path=str(output_dir / f"chat-{name}-{width}.png"))
        reply = page.locator("#kw-chat .message-row.bot-row").last
        # A refusal says so first (in the page's language, Dutch here, whatever the question's);
        # its nearest passages are folded and marked as no answer.
        refusal = reply.locator(".kw-answer").inner_text()
        assert refusal.startswith("De bronnen beantwoorden deze vraag niet")
        folded = reply.locator("details.kw-more")
        assert folded.count() == 1 and "geen antwoord" in folded.locator("summary").inner_text()
        assert not folded.locator(".kw-card").first.is_visible()
        # An answer shows its three strongest passages and folds the rest.
        first = page.locator("#kw-chat .message-row.bot-row").first
        assert first.locator(":scope .kw-card:not(details .kw-card)").count() == 3
        assert first.locator("details.kw-more summary").inner_text().startswith("Meer passages")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_controls_do_what_they_say(running_app, output_dir):

    bot_rows = "#kw-chat .message-row.bot-row"
    insurer = "Verzekeraars: Huisartsenzorg en multidisciplinaire zorg (zorgaanbieders)"
    with chat_page(running_app) as page:

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


@contextmanager
def chat_page(url: str, width: int = 1366, height: int = 900) -> Iterator[Any]:
    """A Chromium page on the app's chat, its question box ready; closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.wait_for_selector("#kw-question textarea", timeout=60_000)
            yield page
        finally:
            browser.close()


def _ask(page, question: str, replies: int) -> None:
    page.fill("#kw-question textarea", question)
    page.click("#kw-ask")
    page.wait_for_function(
        f"() => document.querySelectorAll('#kw-chat .message-row.bot-row').length >= {replies}",
        timeout=60_000,
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_citations_copy_strength_and_feedback(
    running_app, output_dir, data_dir, index_settings, tmp_path
):
    """Chips preview their passage, copies carry a public link, 👍 lands in the store."""
    import subprocess

    from playwright.sync_api import sync_playwright

    from kernwijzer.web.feedback import FEEDBACK_FILE, FeedbackStore

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=running_app)
        page = context.new_page()
        page.goto(running_app)
        page.wait_for_selector("#kw-question textarea", timeout=60_000)
        page.wait_for_function("document.activeElement.closest('#kw-question') !== null")
        assert page.evaluate("document.documentElement.lang") == "nl"
        assert page.locator("h1").inner_text() == "Kernwijzer"
        _ask(page, "Mag een PA de huisarts vervangen?", 1)
        reply = page.locator("#kw-chat .message-row.bot-row").last
        first = reply.locator(".kw-card").first
        assert "Overeenkomst: sterk" in first.inner_text()
        assert "datum/versie:" in first.inner_text()

        # [1] is a link; hovering it shows the answering sentence, document and section.
        chip = reply.locator(".kw-answer .kw-ref").first
        chip.hover()
        tip = chip.locator(".kw-tip")
        assert tip.is_visible() and "nooit een huisarts kan vervangen" in tip.inner_text()
        assert "kernwaarden" in tip.inner_text()
        page.screenshot(path=str(output_dir / "chat-chip-hover.png"))

        # Copying a passage: quote, title, publisher and a link that works elsewhere.
        first.locator(".kw-copy-btn").click()
        page.wait_for_function(
            "() => document.querySelector('#kw-chat .kw-card .kw-copy-btn')"
            ".textContent.includes('Gekopieerd')"
        )
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "nooit een huisarts kan vervangen" in copied
        assert "Uitwerking AZWA opdracht D3" in copied and "LHV en NHG" in copied
        assert f"{PUBLIC_URL}/bron/lhv-nhg-kernwaarden?q=" in copied
        assert "127.0.0.1" not in copied
        page.screenshot(path=str(output_dir / "chat-copied.png"))
        reply.locator(".kw-copy-btn", has_text="Kopieer antwoord").click()
        page.wait_for_timeout(200)
        assert "[1] “" in page.evaluate("navigator.clipboard.readText()")

        # 👍 beside the short answer, with a comment, is stored on this machine and exported
        # as a question file; thanks and comment box open in view, the box focused.
        good = reply.locator(".kw-actions button[aria-label='Goed antwoord']")
        assert good.count() == 1
        good.click()
        page.wait_for_selector("#kw-note textarea", timeout=30_000)
        page.wait_for_function("document.activeElement.closest('#kw-note') !== null")
        assert good.get_attribute("aria-pressed") == "true"
        for part in ("#kw-thanks", "#kw-note textarea", "#kw-send-note"):
            seen = page.locator(part).bounding_box()
            assert seen and seen["y"] >= 0 and seen["y"] + seen["height"] <= 900, part
        page.fill("#kw-note textarea", "Precies wat ik zocht.")
        page.click("#kw-send-note")
        page.wait_for_function(
            "() => document.querySelector('#kw-thanks').innerText.includes('toelichting')",
            timeout=30_000,
        )
        page.screenshot(path=str(output_dir / "chat-feedback.png"))
        page.click("#kw-close-note")
        page.locator("#kw-note-box").first.wait_for(state="hidden")
        browser.close()
    ratings = FeedbackStore(data_dir / FEEDBACK_FILE).all()
    assert [(r.question, r.rating, r.comment) for r in ratings] == [
        ("Mag een PA de huisarts vervangen?", "up", "Precies wat ik zocht.")
    ]
    env = settings_env(index_settings)
    exported = tmp_path / "feedback.yaml"
    run = [sys.executable, "-m", "kernwijzer.cli"]
    subprocess.run(
        [
            *run,
            "feedback",
            "export",
            "--file",
            str(data_dir / FEEDBACK_FILE),
            "--out",
            str(exported),
        ],
        check=True,
        env=env,
    )
    asked = subprocess.run(
        [*run, "ask", "--file", str(exported)], check=True, env=env, capture_output=True, text=True
    )
    lines = [json.loads(line) for line in asked.stdout.splitlines() if line.strip()]
    assert [a["question"] for a in lines] == ["Mag een PA de huisarts vervangen?"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_see_also_counter_and_timing(running_app, output_dir):
    """ "Zie ook" asks the source's own question; the counter stops an over-long question."""

    with chat_page(running_app) as page:
        timings = []
        questions = [
            "Hoeveel patiënten heeft een normpraktijk?",
            "Wat betekent urgentie U3?",
            "May a PA replace a GP?",
            "Wie beheert het medisch dossier?",
            "Do I need the insurer's permission for GP care?",
        ]
        for n, question in enumerate(questions, start=1):
            page.fill("#kw-question textarea", question)
            started = time.perf_counter()
            page.click("#kw-ask")
            page.wait_for_function(
                "() => { const r = document.querySelectorAll('#kw-chat .message-row.bot-row');"
                f" return r.length >= {n} && r[r.length - 1].querySelector('.kw-answer'); }}",
                timeout=60_000,
            )
            timings.append(time.perf_counter() - started)
        timings.sort()
        (output_dir / "browser-timing.txt").write_text(
            f"submit to answer visible, {len(timings)} questions: p50 "
            f"{timings[len(timings) // 2]:.2f} s, max {timings[-1]:.2f} s\n"
        )
        first_reply = page.locator("#kw-chat .message-row.bot-row").first
        related = first_reply.locator(".kw-next")
        assert related.count() >= 1
        asked = related.first.inner_text()
        related.first.click()
        page.wait_for_function(
            "() => document.querySelectorAll('#kw-chat .message-row.bot-row').length >= "
            f"{len(questions) + 1}",
            timeout=60_000,
        )
        users = page.locator("#kw-chat .message-row.user-row")
        assert users.last.inner_text().strip() == asked

        page.fill("#kw-question textarea", "Mag een PA " * 250)
        page.wait_for_function(
            "() => document.querySelector('#kw-count').innerText.includes('te lang')"
        )
        assert page.locator("#kw-ask").is_disabled()
        page.screenshot(path=str(output_dir / "chat-too-long.png"))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_source_page_on_a_phone(running_app, output_dir, kw):
    from playwright.sync_api import sync_playwright

    c = kw.answer("Hoeveel patiënten heeft een normpraktijk?").citations[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(running_app + c.link)
        page.wait_for_selector("mark.focus")
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not page.evaluate("document.getElementById('toc').open")
        box = page.locator("mark.focus").first.bounding_box()
        assert box and 0 <= box["y"] < 844
        page.screenshot(path=str(output_dir / "source-phone.png"))
        browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_no_serious_accessibility_violations(running_app, output_dir, kw):
    """axe-core on the chat after an answer, with the source pane open and on a source
    page, light and dark."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    link = kw.answer("Mag een PA de huisarts vervangen?").citations[0].link
    found: dict[str, list[dict[str, object]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
            page.goto(running_app + ("/?__theme=dark" if scheme == "dark" else "/"))
            page.wait_for_selector("#kw-question textarea", timeout=60_000)
            _ask(page, "Mag een PA de huisarts vervangen?", 1)
            page.fill("#kw-question textarea", "En een VS?")  # the ask button enabled
            page.wait_for_timeout(300)
            page.screenshot(path=str(output_dir / f"axe-chat-{scheme}.png"))
            found[f"chat-{scheme}"] = Axe().run(page).response["violations"]
            # The source pane open beside the chat, with its title and section.
            page.locator("#kw-chat .kw-answer .kw-ref").first.click()
            page.frame_locator("#kw-pane-frame").locator("mark.focus").first.wait_for()
            page.screenshot(path=str(output_dir / f"axe-pane-{scheme}.png"))
            found[f"pane-{scheme}"] = Axe().run(page).response["violations"]
            page.keyboard.press("Escape")
            page.goto(running_app + link)
            page.wait_for_selector("mark.focus")
            page.screenshot(path=str(output_dir / f"axe-source-{scheme}.png"))
            found[f"source-{scheme}"] = Axe().run(page).response["violations"]
            page.close()
        browser.close()
    summary = {
        where: [
            (
                v["id"],
                v["impact"],
                len(v["nodes"]),
                [n["target"] for n in v["nodes"][:3]],
                v["nodes"][0].get("failureSummary", "")[:300],
            )
            for v in violations
        ]
        for where, violations in found.items()
    }
    (output_dir / "axe.json").write_text(json.dumps(summary, indent=1))
    serious = {
        where: [v for v in items if v[1] in ("serious", "critical")]
        for where, items in summary.items()
    }
    assert all(not items for items in serious.values()), serious


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_one_language_at_a_time(running_app, output_dir):
    """Dutch by default; switched to English, every label, message and <html lang> follow."""

    with chat_page(running_app) as page:
        assert page.locator("#kw-ask").inner_text() == "Vraag"
        _ask(page, "Wat betekent urgentie U3?", 1)
        assert "Bronnen" in page.locator("#kw-chat .message-row.bot-row").last.inner_text()
        page.get_by_label("English").check()
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        assert page.locator("#kw-ask").inner_text() == "Ask"
        assert page.locator("#kw-new").inner_text() == "New conversation"
        assert "quoted word for word" in page.locator("h1 + p").inner_text()
        assert page.title().startswith("Kernwijzer — general practice")
        # A Dutch question under the English page: the quotes are Dutch, the labels English.
        _ask(page, "Mag een PA de huisarts vervangen?", 2)
        reply = page.locator("#kw-chat .message-row.bot-row").last.inner_text()
        assert "Sources" in reply and "Match: strong" in reply and "Bronnen" not in reply
        assert page.locator("#kw-chat button[aria-label='Good answer']").count() >= 1
        _ask(page, "What is the maximum dose of ibuprofen?", 3)
        reply = page.locator("#kw-chat .message-row.bot-row").last.inner_text()
        assert reply.startswith("The sources do not answer")
        page.fill("#kw-question textarea", "???")
        page.click("#kw-ask")
        page.wait_for_function(
            "() => document.querySelector('#kw-chat').innerText"
            ".includes('The question has no words to search for.')",
            timeout=30_000,
        )
        page.screenshot(path=str(output_dir / "chat-english.png"))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_chip_opens_its_source_beside_the_chat(running_app, output_dir, width, height):

    with chat_page(running_app, width, height) as page:
        _ask(page, "Mag een PA de huisarts vervangen?", 1)
        assert not page.locator("#kw-pane").is_visible()
        page.locator("#kw-chat .kw-answer .kw-ref").first.click()
        pane = page.locator("#kw-pane")
        pane.wait_for(state="visible")
        focus = page.frame_locator("#kw-pane-frame").locator("mark.focus").first
        focus.wait_for(timeout=30_000)
        assert "nooit een huisarts kan vervangen" in focus.inner_text()
        box = pane.bounding_box()
        assert box is not None
        if width < 700:  # a full-screen sheet on a phone
            assert box["width"] >= width - 2 and box["height"] >= height - 2
        # The pane names the document and section it shows, in view.
        title = page.locator("#kw-pane-title")
        assert title.inner_text().startswith("Uitwerking AZWA opdracht D3")
        assert page.locator("#kw-pane-section").inner_text().strip()
        tb = title.bounding_box()
        assert tb and 0 <= tb["y"] < height
        # Gradio's scroll button never covers the sheet or the quotes.
        assert page.locator("#kw-chat .scroll-down-button-container").is_hidden()
        page.screenshot(path=str(output_dir / f"source-pane-{width}.png"))
        # Escape closes it, and the focus returns to the chip that opened it.
        page.keyboard.press("Escape")
        pane.wait_for(state="hidden")
        assert page.evaluate("document.activeElement.classList.contains('kw-ref')")
        page.locator("#kw-chat .kw-answer .kw-ref").first.click()
        pane.wait_for(state="visible")
        page.click("#kw-pane-close")
        pane.wait_for(state="hidden")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_the_chat_and_its_filters_work_on_a_phone(running_app, output_dir):
    """390 px: no horizontal scroll after an answer; a filter can be set and is used."""

    insurer = "Verzekeraars: Huisartsenzorg en multidisciplinaire zorg (zorgaanbieders)"
    with chat_page(running_app, 390, 844) as page:
        _ask(page, "Wat zijn de voorwaarden voor segment 1?", 1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label(insurer).check()  # scrolled to and clicked like a thumb would
        page.screenshot(path=str(output_dir / "chat-filter-phone.png"))
        _ask(page, "Wat zijn de voorwaarden voor segment 1?", 2)
        reply = page.locator("#kw-chat .message-row.bot-row").last.inner_text()
        assert "Gezocht in: Huisartsenzorg en multidisciplinaire zorg" in reply
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_copied_citation_is_memo_ready(kw):
    """Publisher, title, date, section and link are always there, or said to be unknown."""
    from kernwijzer.web.cards import citation_text

    seen = set()
    for q in (
        "Heb ik toestemming van de verzekeraar nodig voor huisartsenzorg?",
        "Mag een PA de huisarts vervangen?",
        "Wat valt onder het basisaanbod huisartsenzorg?",
        "Wat zijn de voorwaarden voor segment 1?",
    ):
        for c in kw.answer(q).citations:
            seen.add(c.doc_id)
            text = citation_text(c)
            source = text[len(c.quote.strip()) + 3 :].splitlines()[0]
            assert c.doc_title in source
            assert (
                c.publisher or "zorgverzekeraar (naam niet in de bron)"
                if c.insurer
                else c.publisher or "uitgever onbekend"
            ) in source
            assert (c.edition or "datum onbekend") in source
            assert "?." not in source and ".." not in source
            assert source.count(c.doc_title) == 1
            assert c.source_url in text if c.source_url else "geen openbare link bekend" in text
            english = citation_text(c, "https://kw.example", language="en")
            assert f"https://kw.example{c.link}" in english
            assert "geen openbare" not in english and "datum onbekend" not in english
    assert "verzekeraar-huisartsenzorg" in seen


def test_the_section_view_speaks_the_ui_language(client):
    dutch = client.get("/bron/verzekeraar-huisartsenzorg").text
    english = client.get("/bron/verzekeraar-huisartsenzorg?lang=en").text
    assert "webpagina van een Nederlandse zorgverzekeraar" in dutch and "web page" not in dutch
    assert "Inhoud" in dutch and "no public URL known" in english and "Contents" in english
    body = re.compile(r"<article>(.*)</article>", re.S)
    assert body.search(dutch).group(1) == body.search(english).group(1)  # the text unchanged


def _in_view(page, selector: str, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_first_screen_needs_no_scrolling(running_app, output_dir, width, height):
    """Title, language switch, question box, ask button and the examples without scrolling;
    an empty chat no taller than its hint."""
    with chat_page(running_app, width, height) as page:
        page.wait_for_function("document.activeElement.closest('#kw-question') !== null")
        page.wait_for_timeout(500)
        assert page.evaluate("window.scrollY") == 0
        for part in ("h1", "#kw-lang", "#kw-question textarea", "#kw-ask"):
            assert _in_view(page, part, height), part
        chips = page.locator(".kw-chip")
        shown = [i for i in range(chips.count()) if _in_view(page, f".kw-chip >> nth={i}", height)]
        assert len(shown) >= 2
        if width > 700:
            assert len(shown) == chips.count()
        assert page.locator("#kw-chat").bounding_box()["height"] <= 140
        page.screenshot(path=str(output_dir / f"first-screen-{width}.png"))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_keyboard_goes_box_ask_answer_chips(running_app, output_dir, width, height):
    focused = "() => { const e = document.activeElement; return e.id || e.className; }"
    with chat_page(running_app, width, height) as page:
        page.wait_for_function("document.activeElement.closest('#kw-question') !== null")
        page.keyboard.type("Mag een PA de huisarts vervangen?")
        page.keyboard.press("Enter")
        page.wait_for_selector("#kw-chat .kw-answer", timeout=60_000)
        page.wait_for_timeout(300)
        # After the answer the box keeps the focus, ready for the next question.
        assert page.evaluate("document.activeElement.closest('#kw-question') !== null")
        page.keyboard.type("Wat betekent urgentie U3?")
        page.wait_for_function("() => !document.querySelector('#kw-ask').disabled")
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "kw-ask"
        page.keyboard.press("Tab")
        assert "kw-skip" in page.evaluate(focused)
        skip = page.locator(".kw-skip").bounding_box()
        assert skip and skip["x"] >= 0 and skip["y"] >= 0 and skip["width"] > 50  # in view
        page.screenshot(path=str(output_dir / f"keyboard-skip-link-{width}.png"))
        page.keyboard.press("Enter")
        assert "kw-answer" in page.evaluate(focused)
        box = page.locator("#kw-chat .message-row.bot-row .kw-answer").bounding_box()
        assert box and 0 <= box["y"] < height - 40
        page.keyboard.press("Tab")
        assert "kw-ref" in page.evaluate(focused)
        # The chip opens its source; Escape closes it and the focus returns to the chip.
        page.keyboard.press("Enter")
        page.locator("#kw-pane").wait_for(state="visible")
        page.keyboard.press("Escape")
        page.locator("#kw-pane").wait_for(state="hidden")
        assert "kw-ref" in page.evaluate(focused)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_feedback_on_a_phone_opens_in_view(running_app, output_dir):
    with chat_page(running_app, 390, 844) as page:
        _ask(page, "Hoeveel patiënten heeft een normpraktijk?", 1)
        page.wait_for_timeout(300)
        bad = page.locator("#kw-chat .kw-actions button[aria-label='Fout of onvolledig antwoord']")
        assert _in_view(page, "#kw-chat .kw-actions .kw-rate", 844)
        bad.click()
        page.wait_for_selector("#kw-note textarea", timeout=30_000)
        page.wait_for_timeout(300)
        for part in ("#kw-thanks", "#kw-note textarea", "#kw-send-note", "#kw-close-note"):
            assert _in_view(page, part, 844), part
        assert "opgeslagen" in page.locator(".kw-rate").inner_text()
        page.screenshot(path=str(output_dir / "feedback-phone.png"))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
@pytest.mark.parametrize(
    ("lang", "width", "height"),
    [("nl", 1366, 900), ("en", 390, 844)],
    ids=["nl-desktop", "en-phone"],
)
def test_follow_ups_say_what_they_follow(running_app, output_dir, lang, width, height):
    """Nothing to follow: the reply asks what it refers to. The same best passage as just
    shown: the reply says so."""
    bot_rows = "#kw-chat .message-row.bot-row"
    with chat_page(running_app, width, height) as page:
        if lang == "en":
            page.get_by_label("English").check()
            page.wait_for_function("() => document.documentElement.lang === 'en'")
        _ask(page, "En een VS?", 1)
        first = page.locator(bot_rows).last.inner_text()
        assert ("reads as a follow-up" if lang == "en" else "lijkt een vervolgvraag") in first
        assert "Bronnen" not in first and "Sources" not in first
        _ask(page, "Mag een PA de huisarts vervangen?", 2)
        _ask(page, "En een VS?", 3)
        page.wait_for_timeout(300)
        note = page.locator(bot_rows).last.locator(".kw-note")
        said = "The same passage as above" if lang == "en" else "Dezelfde passage als hierboven"
        assert note.inner_text().startswith(said)
        assert _in_view(page, f"{bot_rows} >> nth=-1 >> .kw-note", height)
        page.screenshot(path=str(output_dir / f"follow-up-{lang}-{width}.png"))
