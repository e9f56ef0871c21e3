"""Commands that measure and learn: eval, calibrate, and the app's feedback."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kernwijzer.cli.exits import EXIT_INPUT
from kernwijzer.cli.output import print_json
from kernwijzer.config import Settings
from kernwijzer.evaluation.questions import load_questions
from kernwijzer.files import atomic_write
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.web.feedback import FEEDBACK_FILE, FeedbackError


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Run the evaluation, or compare runs."""
    from kernwijzer.evaluation import report

    if args.compare:
        if len(args.compare) != 2:
            raise ValueError("--compare takes two saved runs (A.json B.json), or none")
        runs = [json.loads(p.read_text(encoding="utf-8")) for p in args.compare]
        report.print_compare(runs[0], runs[1])
        return 0
    from kernwijzer.evaluation.run import SYSTEMS, run_eval

    questions = load_questions(_question_file(args, settings))
    systems = tuple(s for s in args.systems.split(",") if s)
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        print(f"Unknown system(s) {sorted(unknown)}; choose from {SYSTEMS}", file=sys.stderr)
        return EXIT_INPUT
    result = run_eval(
        Kernwijzer(settings), questions, systems, progress=report.progress_bar(len(questions))
    )
    if args.feedback:
        from kernwijzer.web.feedback import FeedbackStore

        if not args.feedback.exists():
            raise FeedbackError(f"Feedback file {args.feedback} does not exist")
        result["feedback"] = FeedbackStore(args.feedback).counts()
    # Results are written before anything is printed: a closed pipe or a crash while
    # printing must not lose a run that took minutes.
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report.html_report(result), encoding="utf-8")
    last = settings.app.data_dir / "eval" / "last-run.json"
    previous = json.loads(last.read_text(encoding="utf-8")) if last.exists() else None
    last.parent.mkdir(parents=True, exist_ok=True)
    # The stored run the next `--compare` is measured against: never half of one.
    atomic_write(last, json.dumps(result, ensure_ascii=False))
    report.print_summary(result)
    if args.compare is not None:
        if previous is None:
            print(f"No stored run to compare with yet ({last}); this run is stored now.")
        else:
            report.print_compare(previous, result)
    return 0


def _question_file(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.questions or settings.corpus.corpus_dir.parent / "evals" / "questions.yaml")


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the answerability model on the calibration half and write it."""
    from importlib import resources

    from kernwijzer.evaluation.calibration import calibrate

    questions = load_questions(_question_file(args, settings))
    model = calibrate(Kernwijzer(settings), questions)
    packaged = settings.packaged_answerability
    out = args.out or Path(str(resources.files("kernwijzer").joinpath(packaged)))
    model.save(out)
    weights = ", ".join(f"{f} {w:+.2f}" for f, w in zip(model.features, model.coef, strict=True))
    print(f"Fitted on {model.meta['questions']} calibration-half questions; wrote {out}")
    print(f"Standardised weights: {weights}; intercept {model.intercept:+.2f}")
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """Export or count the feedback the app stored."""
    import yaml

    from kernwijzer.web.feedback import FeedbackStore, export_questions

    store = FeedbackStore(args.file or settings.app.data_dir / FEEDBACK_FILE)
    if args.feedback_command == "counts":
        print_json(store.counts())
        return 0
    text = yaml.safe_dump(
        export_questions(store.all()), allow_unicode=True, sort_keys=False, width=100
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
