"""Hardening: each defect of the adversarial run reproduced on real data, then refused.

Real index builds on copies of the real corpus, the real app over HTTP (FastAPI's test
client on the real pipeline), the real CLI in a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernwijzer.answer.compose import verify
from kernwijzer.config import load_settings
from kernwijzer.evaluation.questions import QuestionFileError, load_questions
from kernwijzer.index.build import build_index
from kernwijzer.index.store import IndexStore
from kernwijzer.ingest.corpus import CorpusError, load_corpus
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.retrieval.question import has_words
from kernwijzer.web.app import build_app
from kernwijzer.web.security import HEADERS
from tests.conftest import make_small_corpus, settings_env

CLI = [sys.executable, "-m", "kernwijzer.cli"]


def _cli(args: list[str], settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=settings_env(settings), capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder):
    """A real index of a small real corpus, built once; tests copy it before breaking it."""
    root = tmp_path_factory.mktemp("built")
    s = load_settings(corpus_dir=make_small_corpus(root / "corpus"), index_dir=root / "index")
    build_index(s, embedder=embedder, progress=False)
    return s


@pytest.fixture
def copy(built, tmp_path):
    shutil.copytree(built.corpus.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built.store.index_dir, tmp_path / "index")
    return load_settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


def _active_build(s) -> Path:
    manifest = IndexStore(s).manifest()
    assert manifest is not None
    return s.store.index_dir / "builds" / manifest.build_id


# ------------------------------------------------------------------ 1. broken index


@pytest.mark.parametrize("damage", ["delete-build", "random-sqlite"])
def test_index_repairs_a_broken_active_build(copy, embedder, damage):
    build = _active_build(copy)
    if damage == "delete-build":
        shutil.rmtree(build)
    else:
        (build / "chroma.sqlite3").write_bytes(b"\x8f\x00garbage" * 4096)
    report = build_index(copy, embedder=embedder, progress=False)
    assert report.repaired and not report.skipped
    assert "repaired" in report.summary()
    assert Kernwijzer(copy, embedder).answer("Wat betekent urgentie U3?").citations


def test_an_intact_index_is_left_unchanged(copy, embedder):
    before = IndexStore(copy).manifest()
    report = build_index(copy, embedder=embedder, progress=False)
    assert report.skipped and not report.repaired
    assert IndexStore(copy).manifest() == before


# ------------------------------------------------------------------ damaged read copy

SEGMENT_Q = "Wat zijn de voorwaarden voor segment 1?"
SEGMENT_A = "Geregistreerd zijn in BIG-register"


def _random_vectors(copy_dir: Path) -> None:
    import numpy as np

    vectors = np.load(copy_dir / "sentences.npy")
    noise = np.random.default_rng(0).normal(size=vectors.shape).astype(np.float32)
    np.save(copy_dir / "sentences.npy", noise / np.linalg.norm(noise, axis=1, keepdims=True))


def _shifted_offsets(copy_dir: Path) -> None:
    rows = json.loads((copy_dir / "sentences.json").read_text(encoding="utf-8"))
    for meta in rows["metadatas"]:
        meta["start"], meta["end"] = int(meta["start"]) + 3, int(meta["end"]) + 3
    (copy_dir / "sentences.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")


def _bm25_scores(copy_dir: Path) -> None:
    import numpy as np

    path = copy_dir / "sentences.bm25" / "data.csc.index.npy"
    data = np.load(path)
    np.save(path, np.ones_like(data))


DAMAGE = {"vectors": _random_vectors, "offsets": _shifted_offsets, "bm25": _bm25_scores}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_read_copy_never_answers_and_index_repairs_it(copy, embedder, damage):
    copy_dir = _active_build(copy) / "read-copy"
    assert (copy_dir / "digests.json").exists()
    DAMAGE[damage](copy_dir)
    out = _cli(["ask", SEGMENT_Q], copy)
    assert out.returncode == 3, out.stderr
    assert "damaged" in out.stderr and "kernwijzer index" in out.stderr
    assert "Traceback" not in out.stderr
    # `index` rewrites the copy from the store of record (no re-embedding), and says so.
    report = build_index(copy, embedder=embedder, progress=False)
    assert report.repaired and report.embedded == 0
    answer = Kernwijzer(copy, embedder).answer(SEGMENT_Q)
    assert not answer.abstained
    assert SEGMENT_A in answer.citations[0].quote


def test_vectors_are_never_reused_from_a_damaged_read_copy(copy, embedder):
    import numpy as np

    copy_dir = _active_build(copy) / "read-copy"
    _random_vectors(copy_dir)
    # A change to the corpus: the next build would reuse every unchanged vector.
    _edit_sources(copy, lambda entries: entries[0].update(version="2.0"))
    build_index(copy, embedder=embedder, progress=False)
    manifest = IndexStore(copy).manifest()
    assert manifest is not None
    stored = IndexStore(copy)._read_chroma(manifest, "sentences")
    answer = Kernwijzer(copy, embedder).answer(SEGMENT_Q)
    assert not answer.abstained and SEGMENT_A in answer.citations[0].quote
    # The store of record holds unit vectors near the question, not noise.
    best = float(np.max(stored.embeddings @ embedder.queries([SEGMENT_Q])[0]))
    assert best > 0.4


def test_an_unchanged_read_copy_is_verified_without_hashing_again(copy, embedder, monkeypatch):
    from kernwijzer.index import readcopy

    store = IndexStore(copy)
    manifest = store.manifest()
    assert manifest is not None
    assert store.read_copy_state(manifest) == "ok"  # hashes, and remembers
    hashed: list[Path] = []
    original = readcopy.sha256_of
    monkeypatch.setattr(readcopy, "sha256_of", lambda p: hashed.append(p) or original(p))
    assert IndexStore(copy).read_copy_state(manifest) == "ok"
    assert hashed == []


# ------------------------------------------------------------------ 3, 5, 9. corpus


def _edit_sources(s, change) -> None:
    path = s.corpus.corpus_dir / "sources.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(entries)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def _entry(**values):
    """A breakage that sets fields of the first entry of ``sources.yaml``."""
    return lambda s: _edit_sources(s, lambda entries: entries[0].update(values))


def _first_file(s) -> Path:
    entries = yaml.safe_load((s.corpus.corpus_dir / "sources.yaml").read_text(encoding="utf-8"))
    return s.corpus.corpus_dir / entries[0]["file"]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        pytest.param(lambda s: _first_file(s).write_text(" \n\t\n"), "is empty", id="empty"),
        pytest.param(
            lambda s: (_first_file(s).unlink(), _first_file(s).mkdir()),
            "cannot be read",
            id="directory-not-file",
        ),
        pytest.param(
            lambda s: _first_file(s).write_text("woord " * 1_100_000),
            "larger than",
            id="oversize",
        ),
        pytest.param(_entry(url="javascript:alert(1)"), "http(s)", id="javascript-url"),
        pytest.param(_entry(file="../../elsewhere.md"), "inside the corpus", id="outside-corpus"),
        pytest.param(_entry(file="/etc/passwd"), "inside the corpus folder", id="absolute-path"),
    ],
)
def test_a_bad_corpus_is_refused_and_the_index_kept(copy, breakage, message):
    before = IndexStore(copy).manifest()
    breakage(copy)
    with pytest.raises(CorpusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_corpus(copy.corpus.corpus_dir)
    run = _cli(
        [
            "index",
            "--corpus-dir",
            str(copy.corpus.corpus_dir),
            "--index-dir",
            str(copy.store.index_dir),
        ],
        copy,
    )
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr
    assert IndexStore(copy).manifest() == before


# ------------------------------------------------------------------ 4. disk full

# The CLI with a file-size limit (ulimit -f) of a third of the build it must write: writes
# past it fail as on a full disk (EFBIG; Python ignores SIGXFSZ). The language model unpacks
# a 68 MB temporary file when first used, so it is loaded before the limit: what is tested
# is the index write.
FULL_DISK = (
    "import resource, sys\n"
    "from kernwijzer.text.language import detect_language\n"
    "detect_language('warm-up')\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))\n"
    "from kernwijzer.cli import main\n"
    "sys.exit(main(['index']))\n"
)


def test_a_full_disk_during_indexing_keeps_the_old_index(copy, embedder):
    before = IndexStore(copy).manifest()
    assert before is not None
    limit = (_active_build(copy) / "chroma.sqlite3").stat().st_size // 3
    changed = _first_file(copy)
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("huisarts", "huisarts (herzien)", 1),
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-c", FULL_DISK.format(limit=limit)],
        env=settings_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 5, run.stderr
    assert "Not enough disk space" in run.stderr and "Traceback" not in run.stderr
    assert "previous index is still in use" in run.stderr
    # The unfinished build is gone at once; the old one is active and answers.
    assert IndexStore(copy).manifest() == before
    assert [p.name for p in (copy.store.index_dir / "builds").iterdir()] == [before.build_id]
    assert not list(copy.store.index_dir.glob("manifest.json.*"))
    assert Kernwijzer(copy, embedder).answer("Wat betekent urgentie U3?").citations
    # With room again, the same command builds the change.
    report = build_index(copy, embedder=embedder, progress=False)
    assert not report.skipped and IndexStore(copy).manifest() != before


# ------------------------------------------------------------------ 7, 8. the web surface


@pytest.fixture(scope="module")
def client(kw, index_settings):
    return TestClient(build_app(kw, index_settings), base_url="http://127.0.0.1:7860")


@pytest.mark.parametrize("top_k", ["-5", "0", "51", "1000000", "abc"])
def test_api_top_k_out_of_range_is_422(client, top_k):
    res = client.get("/api/ask", params={"q": "Wat betekent urgentie U3?", "top_k": top_k})
    assert res.status_code == 422
    assert set(res.json()) == {"error"} and "top_k" in res.json()["error"]


def test_api_unknown_document_is_422_naming_the_known_ones(client, kw):
    res = client.get("/api/ask", params={"q": "Wat betekent urgentie U3?", "doc": "nope"})
    assert res.status_code == 422
    assert all(d in res.json()["error"] for d in kw.snapshot.documents)
    ok = client.get(
        "/api/ask", params={"q": "Wat betekent urgentie U3?", "doc": "lhv-nhg-kernwaarden"}
    )
    assert ok.status_code == 200
    assert {c["doc_id"] for c in ok.json()["citations"]} <= {"lhv-nhg-kernwaarden"}


@pytest.mark.parametrize("query", ["%FF%FE", "Wat%20is%20U3%3F%20%FF"])
def test_api_refuses_invalid_utf8(client, query):
    res = client.get(f"/api/ask?q={query}")
    assert res.status_code == 400, res.text
    assert "UTF-8" in res.json()["error"]


def test_cli_refuses_invalid_utf8(index_settings):
    # On Linux argv is bytes; a question with a byte that is not UTF-8 is refused, exit 2.
    run = subprocess.run(
        [*CLI, "ask", b"Wat is U3? \xff\xfe"],
        env=settings_env(index_settings),
        capture_output=True,
        timeout=600,
    )
    assert run.returncode == 2, run.stderr
    assert b"not valid UTF-8" in run.stderr and b"Traceback" not in run.stderr


def test_every_html_response_carries_security_headers(client):
    for path in ("/", "/bron/lhv-aanbod-web", "/bron/nope"):
        res = client.get(path)
        assert "frame-ancestors 'self'" in res.headers["content-security-policy"]
        assert "connect-src 'self'" in res.headers["content-security-policy"]
        assert res.headers["x-frame-options"] == "SAMEORIGIN"
        assert res.headers["x-content-type-options"] == "nosniff"
        assert res.headers["referrer-policy"] == "no-referrer"


def test_closed_routes_and_foreign_hosts(client):
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    upload = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 1000)})
    assert upload.status_code in (403, 404, 405)
    rebinding = client.get("/health", headers={"host": "evil.example.com"})
    assert rebinding.status_code == 400


# ------------------------------------------------------------------ 10, 11. CLI and files


@pytest.mark.parametrize(
    ("entries", "ok"),
    [
        ([{"id": 0, "question": "Wat is U3?"}, {"question": "Wat is U2?"}], True),
        ([{"id": [1, 2], "question": "Wat is U3?"}], False),
        ([{"id": "a", "question": "x?"}, {"id": "a", "question": "y?"}], False),
    ],
)
def test_question_file_ids(tmp_path, entries, ok):
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    if ok:
        assert [q.id for q in load_questions(path)] == ["0", "q2"]
    else:
        with pytest.raises(QuestionFileError):
            load_questions(path)


def test_cli_unknown_document_exits_2(index_settings):
    run = _cli(["ask", "Wat is U3?", "--doc", "nope"], index_settings)
    assert run.returncode == 2 and "lhv-nhg-kernwaarden" in run.stderr


# ------------------------------------------------------------------ fuzz


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.one_of(st.text(max_size=120), st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
)
def test_random_input_gets_an_answer_or_a_4xx_never_a_5xx(client, kw, q):
    res = client.get("/api/ask", params={"q": q})
    assert res.status_code in (200, 400), res.text[:200]
    body = res.json()
    if res.status_code == 400:
        assert set(body) == {"error"} and "Traceback" not in body["error"]
        return
    assert has_words(body["question"])
    for c in body["citations"]:
        doc = kw.snapshot.documents[c["doc_id"]]
        assert doc.text[c["start"] : c["end"]] == c["quote"]
    json.dumps(body)
    assert verify  # the same check as answer.verify, on the JSON the client sees


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=st.one_of(st.text(max_size=80), st.sampled_from(["???", "12345", "x", "\u200b", " "])))
def test_random_cli_questions_get_an_answer_or_exit_2(kw, index_settings, q):
    """The CLI's own path (argument parsing, validation, printing) in this process: a
    subprocess per example would spend its time loading the model, not on the input."""
    from kernwijzer.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["ask", "--json", "--index-dir", str(index_settings.store.index_dir), "--", q])
    assert code in (0, 2), err.getvalue()
    if code == 2:
        assert err.getvalue().startswith("kernwijzer: ") and "Traceback" not in err.getvalue()
        return
    body = json.loads(out.getvalue())
    assert has_words(body["question"])
    for c in body["citations"]:
        doc = kw.snapshot.documents[c["doc_id"]]
        assert doc.text[c["start"] : c["end"]] == c["quote"]


# ------------------------------------------------------------------ 12. back-pressure


def test_too_many_answers_at_once_get_503_with_retry_after(kw, index_settings):
    """One slot: of questions sent together, the ones beyond it are told to come back."""
    import threading

    tight = index_settings.updated(max_inflight=1)
    client = TestClient(build_app(kw, tight), base_url="http://127.0.0.1:7860")
    question = "Hoe is de zorg voor ingeschreven patiënten georganiseerd? " * 30
    start = threading.Barrier(8)
    results: list[tuple[int, str | None]] = []

    def one() -> None:
        start.wait()
        res = client.get("/api/ask", params={"q": question})
        results.append((res.status_code, res.headers.get("retry-after")))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results)
    assert set(codes) <= {200, 503} and 200 in codes and 503 in codes, codes
    assert all(retry == "1" for code, retry in results if code == 503)
    assert client.get("/api/ask", params={"q": "Wat betekent urgentie U3?"}).status_code == 200


def test_ctrl_c_during_a_batch_ends_quietly(index_settings, tmp_path):
    import signal
    import time

    batch = tmp_path / "many.yaml"
    # Far more questions than can be answered before the signal arrives (a few ms each).
    entries = [
        {"id": f"q{i}", "question": f"Wat betekent urgentie U{i % 5}?"} for i in range(20_000)
    ]
    batch.write_text(yaml.safe_dump(entries), encoding="utf-8")
    proc = subprocess.Popen(
        [*CLI, "ask", "--file", str(batch)],
        env={**settings_env(index_settings), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As at a terminal: a test run started in the background inherits SIGINT ignored
        # (the shell's rule for background jobs), and the signal would never arrive.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # answering has begun
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err


# ------------------------------------------------------------------ settings and limits (round 3)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("bad", "cannot be read as YAML"),
        ("tag", "could not determine a constructor"),
        ("dir", "is not a file"),
        ("/dev/zero", "is not a file"),
        ("alias", "aliases (*a) are not allowed"),
    ],
)
def test_a_bad_config_file_is_exit_2_with_its_cause(tmp_path, config, message):
    files = {
        "bad": "a: [1\n",
        "tag": '!!python/object/apply:os.system ["echo hi"]\n',
        "alias": "a: &a [x, x, x]\nb: [*a, *a, *a]\ntop_k: 5\n",
    }
    if config in files:
        path = tmp_path / f"{config}.yaml"
        path.write_text(files[config])
        config = str(path)
    elif config == "dir":
        config = str(tmp_path)
    out = subprocess.run(
        [*CLI, "sections", "--config", config], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("top_k", ["0", "-5", "1000000", "x"])
def test_cli_top_k_is_limited_as_the_api_is(index_settings, top_k):
    out = _cli(["ask", "--top-k", top_k, "Wat betekent urgentie U3?"], index_settings)
    assert out.returncode == 2 and "1 to 50" in out.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_common_options_count_before_and_after_the_command(index_settings, tmp_path, where):
    """ "kernwijzer --config X ask" used to run the default configuration, silently."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("bogus: 1\n")
    args = ["ask", "Wat betekent urgentie U3?"]
    args = ["--config", str(bad), *args] if where == "before" else [*args, "--config", str(bad)]
    out = _cli(args, index_settings)
    assert out.returncode == 2 and "bogus" in out.stderr


def test_unreadable_settings_files_are_exit_2_with_the_cause(index_settings, tmp_path):
    env = {**settings_env(index_settings), "KERNWIJZER_ANSWERABILITY_MODEL": "/nonexistent.json"}
    out = subprocess.run(
        [*CLI, "ask", "Wat betekent urgentie U3?"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "answerability model /nonexistent.json cannot be read" in out.stderr
    folder = _cli(["ask", "--file", str(tmp_path)], index_settings)
    assert folder.returncode == 2 and "is not a file" in folder.stderr


def test_a_question_of_terminal_escapes_only_is_refused(index_settings):
    out = _cli(["ask", "\x1b[31m\x1b[1m\x1b[0m"], index_settings)
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_an_unknown_setting_is_named_on_stderr(index_settings):
    env = {**settings_env(index_settings), "KERNWIJZER_BOGUS": "1"}
    out = subprocess.run(
        [*CLI, "sections", "lhv-aanbod-web"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and "KERNWIJZER_BOGUS" in out.stderr


def test_sources_prints_metadata_literally(copy):
    _edit_sources(copy, lambda entries: entries[0].update(title="Titel [/bold] root:x:0"))
    out = _cli(["sources"], copy)
    assert out.returncode == 0, out.stderr
    assert "[/bold]" in out.stdout and "root:x:0" in out.stdout


# ------------------------------------------------------------------ web surface (round 3)


def _headed(res) -> bool:
    return all(res.headers.get(name) == value for name, value in HEADERS.items())


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/info",
        "/gradio_api/runs",
        "/gradio_api/run-history/buckets",
        "/monitoring/summary",
        "/gradio_api/dev/reload",
    ],
)
def test_routes_the_readme_does_not_list_answer_404_with_headers(client, path):
    res = client.get(path)
    assert res.status_code == 404 and _headed(res)


def test_a_long_source_path_is_404_not_500(client):
    res = client.get("/bron/" + "a" * 300)
    assert res.status_code == 404 and _headed(res)


def test_a_foreign_host_is_refused_with_the_headers_and_ipv6_loopback_is_served(client):
    refused = client.get("/health", headers={"host": "evil.example.com"})
    assert refused.status_code == 400 and _headed(refused)
    for host in ("[::1]:7860", "[::1]", "localhost:7860", "127.0.0.1"):
        assert client.get("/health", headers={"host": host}).status_code == 200, host


def test_an_oversized_head_is_431_and_an_overlong_url_414_with_the_headers(client):
    big = client.get("/health", headers={"X-Big": "a" * 100_000})
    assert big.status_code == 431 and _headed(big) and "at most" in big.json()["error"]
    long = client.get("/api/ask", params={"q": "a" * 30_000})
    assert long.status_code == 414 and _headed(long)
    # A question at the length limit, every letter percent-encoded, still gets its answer.
    assert client.get("/api/ask", params={"q": "é" * 2000}).status_code == 200
    assert client.get("/health", headers={"X-Some": "a" * 20_000}).status_code == 200


def test_a_forwarded_host_cannot_move_the_root_url(client, kw, index_settings):
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    config = client.get("/config", headers=forged)
    assert config.status_code == 200 and _headed(config)
    assert config.json()["root"] == "http://127.0.0.1:7860"
    # Behind a configured proxy the proxy's word counts.
    behind = index_settings.updated(trusted_proxy=True)
    proxied = TestClient(build_app(kw, behind), base_url="http://127.0.0.1:7860")
    assert proxied.get("/config", headers=forged).json()["root"] == "https://evil.example"


def test_feedback_with_a_lone_surrogate_is_stored_readably(tmp_path):
    from kernwijzer.web.feedback import FeedbackStore, Rating

    store = FeedbackStore(tmp_path / "f.sqlite")
    rid = store.add(Rating("Vraag", "nl", "down", False, "antwoord", comment="a\ud800b"))
    store.comment(rid, "nog \udfff een")
    (stored,) = store.all()
    assert stored.comment == "nog \ufffd een"


def test_a_question_file_with_yaml_aliases_is_refused_at_once(tmp_path):
    # Nine nested levels of aliases took 94 s and 3.7 GB before; any alias is refused now.
    lines = ["- id: x", "  question: Wat is U3?", '  kind: &a ["lol", "lol", "lol"]']
    lines += [f"  note{n}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}]" for n in range(9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="aliases"):
        load_questions(path)


def test_serve_on_a_busy_port_says_so_with_its_own_exit_code(index_settings):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**settings_env(index_settings), "KERNWIJZER_PORT": str(taken.getsockname()[1])}
        out = subprocess.run(
            [*CLI, "serve", "--no-build"], env=env, capture_output=True, text=True, timeout=120
        )
    assert out.returncode == 7, out.stderr
    assert "Cannot listen on 127.0.0.1" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------ read-only and full disks


@contextlib.contextmanager
def _mounted(kind: str, source: Path, target: Path) -> Iterator[Path]:
    """``source`` bind-mounted read-only at ``target``, or a 40 MB tmpfs there (as root)."""
    target.mkdir()
    if kind == "read-only":
        steps = [
            ["mount", "--bind", str(source), str(target)],
            ["mount", "-o", "remount,ro,bind", str(target)],
        ]
    else:
        steps = [["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(target)]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["umount", str(target)], capture_output=True)
            pytest.skip(f"cannot make a {kind} folder here ({done.stderr.strip()[:120]})")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _fill(folder: Path) -> None:
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as fh:
        while True:
            fh.write(b"\0" * (1 << 20))


@pytest.mark.parametrize("read_copy", [True, False], ids=["with-read-copy", "store-only"])
def test_an_index_on_a_read_only_folder_answers_and_index_says_it_cannot_write(
    copy, tmp_path, read_copy
):
    """Chroma's SQLite writes when it opens a store: a shipped read-only index still answers."""
    if not read_copy:
        shutil.rmtree(_active_build(copy) / "read-copy")
    with _mounted("read-only", tmp_path, tmp_path.parent / f"{tmp_path.name}-ro") as ro:
        s = copy.updated(index_dir=ro / "index", corpus_dir=ro / "corpus")
        asked = _cli(["ask", "Wat betekent urgentie U3?", "--json"], s)
        assert asked.returncode == 0, asked.stderr
        assert json.loads(asked.stdout)["citations"]
        built = _cli(["index"], s)
        assert built.returncode == 5 and "Traceback" not in built.stderr
        assert "Read-only file system" in built.stderr and "KERNWIJZER_INDEX_DIR" in built.stderr


def test_an_index_on_a_full_disk_answers_and_index_says_so(copy, tmp_path):
    with _mounted("full", tmp_path, tmp_path.parent / f"{tmp_path.name}-full") as full:
        shutil.copytree(copy.store.index_dir, full / "index")
        shutil.copytree(copy.corpus.corpus_dir, full / "corpus")
        s = copy.updated(index_dir=full / "index", corpus_dir=full / "corpus")
        _fill(full)
        asked = _cli(["ask", "Wat betekent urgentie U3?", "--json"], s)
        assert asked.returncode == 0, asked.stderr
        assert json.loads(asked.stdout)["citations"]
        # Chroma writes to open a store: the intact index is not called broken.
        updated = _cli(["index"], s)
        assert updated.returncode == 5 and "Traceback" not in updated.stderr, updated.stderr
        assert "Not enough disk space" in updated.stderr and "broken" not in updated.stderr
        built = _cli(["index", "--rebuild"], s)
        assert built.returncode == 5 and "Traceback" not in built.stderr, built.stderr
        assert "still in use" in built.stderr
        again = _cli(["ask", "Wat betekent urgentie U3?", "--json"], s)
        assert again.returncode == 0 and json.loads(again.stdout)["citations"]
