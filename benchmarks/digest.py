"""The read copy's digests at scale: a start's check, cold (every file hashed) and warm.

    .venv/bin/python benchmarks/digest.py [--factor 100] [--out F]

Makes a folder shaped like the active build's read copy (``compact``) with every file
``--factor`` times its size (random bytes: hashing cost depends on size alone), seals it,
then times ``readcopy.check``: cold (no memo: every file hashed, as on the first start after
a build) and warm (the memo of sizes and modification times: what every later start
pays). Writes benchmarks/results/digest.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kernwijzer.config import load_settings  # noqa: E402
from kernwijzer.index import readcopy  # noqa: E402
from kernwijzer.index.store import IndexStore  # noqa: E402


def main() -> int:
    """Run the benchmark and print/write its figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--factor", type=int, default=100)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "digest.json")
    args = p.parse_args()
    settings = load_settings()
    store = IndexStore(settings)
    manifest = store.manifest()
    if manifest is None:
        print("No index: run kernwijzer index first", file=sys.stderr)
        return 3
    source = store.read_copy_dir(manifest)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "read-copy"
        total = files = 0
        for path in sorted(source.rglob("*")):
            if not path.is_file() or path.name == readcopy.DIGESTS:
                continue
            target = folder / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            size = path.stat().st_size * args.factor
            with target.open("wb") as fh:
                for _ in range(0, size, 1 << 24):
                    fh.write(os.urandom(min(1 << 24, size - fh.tell())))
            total += size
            files += 1
        readcopy.seal(folder)
        memo = Path(tmp) / "memo.json"
        cold, warm = [], []
        for _ in range(args.runs):
            memo.unlink(missing_ok=True)
            started = time.perf_counter()
            readcopy.check(folder, memo)
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            readcopy.check(folder, memo)
            warm.append(time.perf_counter() - started)
    result = {
        "factor": args.factor,
        "files": files,
        "bytes": total,
        "runs": args.runs,
        "cold_s": round(statistics.median(cold), 3),
        "warm_s": round(statistics.median(warm), 4),
    }
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
