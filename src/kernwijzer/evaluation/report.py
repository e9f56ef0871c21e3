"""Presenting evaluation results: terminal tables (rich), an HTML report, run comparison.

Not here: computing metrics (``evaluation/run.py``).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kernwijzer.evaluation.run import compare

HEADLINE = (
    "quote_hit@1",
    "quote_hit@3",
    "quote_hit@5",
    "quote_recall@5",
    "quote_mrr@10",
    "quote_ndcg@10",
    "section_hit@5",
    "section_mrr@10",
)
QUALITY = (
    "abstain_precision",
    "abstain_recall",
    "wrongly_abstained",
    "evidence_auroc",
    "verbatim_rate",
    "original_verbatim_rate",
    "link_validity",
    "latency_p50_ms",
    "latency_p95_ms",
)


def progress_bar(total: int) -> Callable[[int], None]:
    """A rich progress bar on stderr; returns the advance callback."""
    progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task("Evaluating", total=total)
    progress.start()

    def advance(n: int) -> None:
        progress.advance(task, n)
        if progress.finished:
            progress.stop()

    return advance


def _console() -> Console:
    console = Console()
    if not console.is_terminal:
        # Piped into a log or CI: rich would fold to 80 columns and cut the metric names.
        console.width = 170
    return console


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(title: str, rows: dict[str, dict[str, Any]], keys: tuple[str, ...]) -> Table:
    table = Table(title=title)
    table.add_column("system / group")
    for key in keys:
        table.add_column(key, justify="right")
    for name, metrics in rows.items():
        table.add_row(name, *(_fmt(metrics.get(k)) for k in keys))
    return table


KIND_KEYS = ("questions", "abstained", "answered")
OUTCOME_KEYS = (
    "answerable_answered",
    "answerable_partial",
    "wrongly_abstained",
    "oos_answered",
    "oos_partial",
    "abstain_recall",
    "near_miss_answered",
)
REGISTER_KEYS = (
    "questions",
    "quote_hit@1",
    "originals_hit@1",
    "gap_hit@1",
    "quote_hit@5",
    "quote_mrr@10",
    *OUTCOME_KEYS,
)
HALF_KEYS = (
    "quote_hit@1",
    "quote_hit@3",
    "quote_hit@5",
    "quote_mrr@10",
    "abstain_recall",
    "wrongly_abstained",
    "evidence_auroc",
)


def _halves(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Kernwijzer's overall figures per half (calibration, test, all)."""
    return {
        half: summary["kernwijzer"]["overall"]
        for half, summary in result.get("summary_by_half", {}).items()
        if "kernwijzer" in summary
    }


FEEDBACK_KEYS = ("up", "down", "with_comment")


def _feedback(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"ratings": dict(result.get("feedback", {}))}


def _feedback_html(result: dict[str, Any]) -> str:
    if "feedback" not in result:
        return ""
    return _html_table("Feedback stored by the app", _feedback(result), FEEDBACK_KEYS)


def _by_kind(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(result["summary"].get("kernwijzer", {}).get("by_kind", {}))


def _outcomes(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Kernwijzer's three outcomes per half (answered, partial, abstained)."""
    return {
        half: {k: summary["kernwijzer"]["overall"].get(k) for k in OUTCOME_KEYS}
        for half, summary in result.get("summary_by_half", {}).items()
        if "kernwijzer" in summary
    }


def _by_register(result: dict[str, Any], half: str) -> dict[str, dict[str, Any]]:
    summary = result.get("summary_by_half", {}).get(half, {})
    return dict(summary.get("kernwijzer", {}).get("by_register", {}))


def fidelity_rows(result: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    """Per system: quotes by how they match the original files (test half)."""
    rows = {
        system: {
            **entry["fidelity"]["counts"],
            "furniture": entry["fidelity"].get("furniture_quotes", 0),
            "rate": entry["fidelity"]["original_verbatim_rate"],
        }
        for system, entry in result["summary"].items()
        if "fidelity" in entry
    }
    named = {"verbatim", "undeclared", "furniture", "rate"}
    kinds = sorted({k for r in rows.values() for k in r} - named)
    return rows, ("verbatim", *kinds, "undeclared", "furniture", "rate")


def _fidelity_examples(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entry = result["summary"].get("kernwijzer", {}).get("fidelity", {})
    return {kind: {"example": text} for kind, text in entry.get("examples", {}).items()}


def summary_rows(result: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Rows for overall, per-language and per-category tables (the test half)."""
    summary = result["summary"]
    overall = {system: entry["overall"] for system, entry in summary.items()}
    by_lang = {
        f"{system} · {lang}": metrics
        for system, entry in summary.items()
        for lang, metrics in entry["by_language"].items()
    }
    by_cat = {
        f"{cat}": metrics
        for cat, metrics in summary.get("kernwijzer", {}).get("by_category", {}).items()
    }
    return {"overall": overall, "language": by_lang, "category": by_cat}


def print_summary(result: dict[str, Any]) -> None:
    """Print the side-by-side tables and the per-question misses."""
    console = _console()
    rows = summary_rows(result)
    split = result.get("split", {})
    console.print(
        f"{result['questions']} questions · commit {result.get('commit')} · split seed "
        f"{split.get('seed')}: {split.get('calibration')} calibration, {split.get('test')} test"
    )
    console.print("Figures below are from the TEST half unless a table says otherwise.")
    console.print(_table("Retrieval quality, test half (answerable)", rows["overall"], HEADLINE))
    console.print(
        _table("Abstention, verbatim, links, latency, test half", rows["overall"], QUALITY)
    )
    console.print(
        _table(
            "By language, test half",
            rows["language"],
            (*HEADLINE[:5], "abstain_recall", "wrongly_abstained", "evidence_auroc"),
        )
    )
    console.print(_table("Kernwijzer by category, test half", rows["category"], HEADLINE[:5]))
    console.print(
        _table(
            "Kernwijzer out-of-scope abstention by kind, test half",
            _by_kind(result),
            KIND_KEYS,
        )
    )
    console.print(
        _table(
            "Kernwijzer per half (the model is fitted on calibration)", _halves(result), HALF_KEYS
        )
    )
    console.print(_table("Kernwijzer outcomes per half", _outcomes(result), OUTCOME_KEYS))
    for half in ("test", "calibration"):
        if registers := _by_register(result, half):
            console.print(_table(f"Kernwijzer by register, {half} half", registers, REGISTER_KEYS))
    fid, fid_keys = fidelity_rows(result)
    console.print(
        _table("Quotes against the original files, by declared repair (test half)", fid, fid_keys)
    )
    console.print(
        _table("One Kernwijzer quote per repair kind", _fidelity_examples(result), ("example",))
    )
    if "feedback" in result:
        console.print(_table("Feedback stored by the app", _feedback(result), FEEDBACK_KEYS))
    misses = [
        o
        for o in result["outcomes"]
        if o["system"] == "kernwijzer"
        and o.get("half", "test") == "test"
        and (
            o["abstained"] != o["abstain_expected"]
            or (o["abstain_expected"] and o.get("status") == "answered")
            or (not o["abstain_expected"] and (o["quote_rank"] or 99) > 5)
        )
    ]
    if misses:
        table = Table(title="Kernwijzer misses, test half (no hit in top 5, or wrong abstention)")
        for col in ("id", "language", "category", "status", "quote rank"):
            table.add_column(col)
        for o in misses:
            table.add_row(
                o["id"], o["language"], o["category"], o.get("status", "?"), _fmt(o["quote_rank"])
            )
        console.print(table)


def print_compare(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Per-question wins and losses of B against A, and the headline deltas."""
    console = _console()
    diff = compare(a, b)
    console.print(
        f"A: commit {a.get('commit')}   B: commit {b.get('commit')}   "
        f"{diff['common']} common questions"
    )
    oa, ob = a["summary"]["kernwijzer"]["overall"], b["summary"]["kernwijzer"]["overall"]
    table = Table(title="Kernwijzer, A → B")
    for col in ("metric", "A", "B", "Δ"):
        table.add_column(col, justify="right")
    for key in (*HEADLINE, *QUALITY):
        if key in oa and key in ob:
            known = oa[key] is not None and ob[key] is not None
            delta = ob[key] - oa[key] if known else None
            table.add_row(key, _fmt(oa[key]), _fmt(ob[key]), _fmt(delta))
    console.print(table)
    for label, items in (("wins", diff["wins"]), ("losses", diff["losses"])):
        console.print(
            f"{label} ({len(items)}): "
            + ", ".join(f"{i['id']} {i['before']:.2f}→{i['after']:.2f}" for i in items)
        )
    console.print(f"answers changed ({len(diff['changed'])}):", markup=False)
    for item in diff["changed"]:
        console.print(
            f"  {item['id']}\n    before: {item['before']}\n    after:  {item['after']}",
            markup=False,
            highlight=False,
        )


def _plot(result: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right, evidence) = plt.subplots(1, 3, figsize=(15, 4))
    outcomes = [o for o in result["outcomes"] if o.get("half", "test") == "test"]
    for system in result["summary"]:
        ranks = [
            o["quote_rank"] for o in outcomes if o["system"] == system and not o["abstain_expected"]
        ]
        ks = range(1, 11)
        left.plot(
            ks,
            [sum(1 for r in ranks if r and r <= k) / max(1, len(ranks)) for k in ks],
            marker="o",
            label=system,
        )
    left.set(title="Quote-level hit@k", xlabel="k", ylabel="hit rate", ylim=(0, 1))
    left.legend()
    systems = list(result["summary"])
    langs = sorted({lang for e in result["summary"].values() for lang in e["by_language"]})
    width = 0.8 / max(1, len(systems))
    for i, system in enumerate(systems):
        values = [
            result["summary"][system]["by_language"].get(lang, {}).get("quote_hit@5", 0)
            for lang in langs
        ]
        right.bar([j + i * width for j in range(len(langs))], values, width, label=system)
    right.set_xticks([j + width * (len(systems) - 1) / 2 for j in range(len(langs))], langs)
    right.set(title="Quote-level hit@5 per language", ylim=(0, 1))
    right.legend()
    scored = [o for o in outcomes if o["system"] == "kernwijzer" and o.get("evidence") is not None]
    bins = [i / 20 for i in range(21)]
    for label, expected in (("answerable", False), ("out of scope", True)):
        values = [o["evidence"] for o in scored if o["abstain_expected"] == expected]
        evidence.hist(values, bins=bins, alpha=0.6, label=f"{label} ({len(values)})")
    bounds = result.get("split", {}).get("boundaries", {})
    for name, style in (("abstain_below", "--"), ("partial_below", ":")):
        if isinstance(bounds.get(name), float):
            evidence.axvline(bounds[name], color="black", linestyle=style, label=name)
    evidence.set(title="Answerability evidence, test half", xlabel="P(answerable)")
    evidence.legend()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _html_table(title: str, rows: dict[str, dict[str, Any]], keys: tuple[str, ...]) -> str:
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f"<td>{_fmt(m.get(k))}</td>" for k in keys)
        + "</tr>"
        for name, m in rows.items()
    )
    return f"<h2>{html.escape(title)}</h2><table><tr><th></th>{head}</tr>{body}</table>"


def html_report(result: dict[str, Any]) -> str:
    """A self-contained HTML page with the tables, a plot and every question's outcome."""
    rows = summary_rows(result)
    per_question = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(_fmt(v))}</td>"
            for v in (
                o["id"],
                o.get("half", ""),
                o["system"],
                o["language"],
                o["category"],
                o["abstained"],
                o["quote_rank"],
                round(o["latency_ms"], 1),
                (o["passages"][0]["quote"][:140] if o["passages"] else ""),
            )
        )
        + "</tr>"
        for o in result["outcomes"]
    )
    settings = html.escape(str(result.get("settings")))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Kernwijzer evaluation</title><style>
body{{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px}}
table{{border-collapse:collapse;margin:1rem 0;font-size:.9rem}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}}
td:first-child{{text-align:left}}</style></head><body>
<h1>Kernwijzer evaluation</h1>
<p>{result["questions"]} questions · commit {html.escape(str(result.get("commit")))} ·
figures from the <strong>test half</strong> unless a table says otherwise</p>
{_html_table("Retrieval quality, test half (answerable)", rows["overall"], HEADLINE)}
{_html_table("Abstention, verbatim, links, latency, test half", rows["overall"], QUALITY)}
{_html_table("By language, test half", rows["language"], HEADLINE)}
{_html_table("Kernwijzer by category, test half", rows["category"], HEADLINE)}
{_html_table("Out-of-scope abstention by kind, test half", _by_kind(result), KIND_KEYS)}
{_html_table("Kernwijzer per half (fitted on calibration)", _halves(result), HALF_KEYS)}
{_html_table("Kernwijzer outcomes per half", _outcomes(result), OUTCOME_KEYS)}
{_html_table("Kernwijzer by register, test half", _by_register(result, "test"), REGISTER_KEYS)}
{_html_table("Quotes against the original files, by repair (test half)", *fidelity_rows(result))}
{_html_table("One Kernwijzer quote per repair kind", _fidelity_examples(result), ("example",))}
{_feedback_html(result)}
<img alt="hit@k curves, per-language hit@5 and the answerability evidence of answerable and
out-of-scope questions" src="data:image/png;base64,{_plot(result)}">
<h2>Per question</h2><table><tr><th>id</th><th>half</th><th>system</th><th>lang</th>
<th>category</th><th>abstained</th><th>quote rank</th><th>ms</th><th>first quote</th></tr>
{per_question}</table>
<details><summary>Settings</summary><pre>{settings}</pre></details>
</body></html>"""
