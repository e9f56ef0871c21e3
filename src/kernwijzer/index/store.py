"""The Chroma store: builds written aside, then switched to; reads of the active build.

Embedded (default): every build is its own ``PersistentClient`` folder under
``index/builds/``; ``index/manifest.json`` names the active one and is replaced atomically,
so a killed build leaves the previous index untouched. Server mode (``chroma_host`` set):
the same, with build-prefixed collections on a ``chroma run`` server and the manifest in a
small collection of its own. Chunks and sentences are written through llama-index's
``ChromaVectorStore``. Telemetry is off. Not here: what to embed (``index/build.py``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kernwijzer.config import Settings
from kernwijzer.files import atomic_write
from kernwijzer.index import readcopy

if TYPE_CHECKING:
    from chromadb.config import Settings as ChromaSettings

    # Writing goes through llama-index; reading (answering) does not need it loaded.
    from llama_index.core.schema import BaseNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

log = logging.getLogger(__name__)
KINDS = ("chunks", "sentences", "documents")
MANIFEST_ID = "active"


class IndexError_(RuntimeError):
    """Base for index problems that have a clear remedy in the message."""


class IndexMissingError(IndexError_):
    """No index has been built yet."""


class IndexCorruptError(IndexError_):
    """The index cannot be read, or does not match the configured model."""


class ReadCopyDamagedError(IndexCorruptError):
    """The active build's read copy fails its digests; `kernwijzer index` rebuilds it."""


class IndexLockedError(IndexError_):
    """Another build holds the lock."""


class IndexWriteError(IndexError_):
    """A new build could not be written (disk full, folder not writable); the old one stays."""


# "No room": a full disk, a full quota, or a file-size limit (ulimit -f).
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# A megabyte is what a modest change to the index needs; a disk that cannot take it is full.
_PROBE_BYTES = 1 << 20


REBUILD_HINT = "Rebuild it with: kernwijzer index --rebuild"


@dataclass
class Manifest:
    """What the active build holds and how it was made."""

    build_id: str
    model_id: str
    dim: int
    fingerprint: str
    created: float
    counts: dict[str, int] = field(default_factory=dict)
    # What the build was made from, before any parsing: corpus files, settings, code (see
    # `build.source_fingerprint`); equal means a no-op run needs no model or corpus load.
    source_fingerprint: str = ""
    totals: dict[str, int] = field(default_factory=dict)  # documents, sections, ...

    @classmethod
    def parse(cls, text: str, where: str) -> Manifest:
        """Parse manifest JSON, or raise `IndexCorruptError` naming where it came from."""
        try:
            return cls(**json.loads(text))
        except (json.JSONDecodeError, TypeError) as exc:
            raise IndexCorruptError(
                f"The index manifest {where} is corrupt. {REBUILD_HINT}"
            ) from exc


def chroma_settings() -> ChromaSettings:
    """Chroma client settings: no telemetry, no reset."""
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


@dataclass
class Records:
    """Rows of one collection, in storage order."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    embeddings: np.ndarray


class IndexStore:
    """Builds, switches and reads Kernwijzer's Chroma collections."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.store.index_dir
        self._server: Any = None
        self._copy_state: dict[str, readcopy.State] = {}  # per build, checked once
        self._readable: dict[str, Path] = {}  # per read-only build, a writable copy of it

    # ---------------------------------------------------------------- locations
    @property
    def where(self) -> str:
        """Human-readable location of the store."""
        s = self.settings
        return (
            f"chroma://{s.store.chroma_host}:{s.store.chroma_port}"
            if s.store.server_mode
            else str(self.root)
        )

    def _name(self, build_id: str, kind: str) -> str:
        return f"{self.settings.store.collection_prefix}_{build_id}_{kind}"

    def client(self, build_id: str) -> Any:
        """The Chroma client holding a build."""
        # Imported here: answering from a build's read copy (``readcopy``) needs no Chroma.
        import chromadb

        if self.settings.store.server_mode:
            if self._server is None:
                self._server = chromadb.HttpClient(
                    host=self.settings.store.chroma_host or "localhost",
                    port=self.settings.store.chroma_port,
                    settings=chroma_settings(),
                )
            return self._server
        return chromadb.PersistentClient(
            path=str(self._openable(self.root / "builds" / build_id)), settings=chroma_settings()
        )

    def _openable(self, build: Path) -> Path:
        """The build folder, or a temporary copy of it where the folder is read-only.

        Chroma's SQLite writes when it opens a store, so an index shipped on a read-only
        volume could not be read in place. The copy lives as long as the process (the read
        copy is then kept in memory only, see ``read``).
        """
        if not build.is_dir() or os.access(build, os.W_OK):
            return build
        if (copy := self._readable.get(build.name)) is None:
            import atexit
            import tempfile

            try:
                copy = Path(tempfile.mkdtemp(prefix="kernwijzer-readonly-")) / build.name
                shutil.copytree(build, copy, ignore=shutil.ignore_patterns("read-copy"))
            except OSError as exc:
                raise IndexCorruptError(
                    f"The index at {build} is on a read-only folder without its read copy, "
                    f"and no temporary copy could be made to open it ({exc.strerror}). Build "
                    "it where it can be written (kernwijzer index), then ship it with its "
                    "read copy, or free space in the temporary folder."
                ) from exc
            atexit.register(shutil.rmtree, copy.parent, True)
            self._readable[build.name] = copy
        return copy

    # ---------------------------------------------------------------- manifest
    def manifest(self) -> Manifest | None:
        """The active build's manifest, None if there is no index yet."""
        if self.settings.store.server_mode:
            col = self.client("").get_or_create_collection(self._manifest_collection())
            got = col.get(ids=[MANIFEST_ID], include=["documents"])
            if not got["ids"]:
                return None
            return Manifest.parse(got["documents"][0], f"on {self.where}")
        path = self.root / "manifest.json"
        if not path.exists():
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"{path} cannot be read. {REBUILD_HINT}") from exc
        return Manifest.parse(text, str(path))

    def _manifest_collection(self) -> str:
        return f"{self.settings.store.collection_prefix}_manifest"

    def _write_manifest(self, manifest: Manifest) -> None:
        text = json.dumps(asdict(manifest), indent=2)
        if self.settings.store.server_mode:
            col = self.client("").get_or_create_collection(self._manifest_collection())
            col.upsert(ids=[MANIFEST_ID], documents=[text], embeddings=[[0.0]])
            return
        atomic_write(self.root / "manifest.json", text, durable=True)  # the atomic switch

    # ---------------------------------------------------------------- building
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the build lock; a second concurrent build fails with a clear message."""
        path = self.root / ".lock"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = path.open("a+")
        except OSError as exc:
            raise IndexWriteError(
                f"Cannot write in {self.root} ({exc.strerror}: {exc.filename}): the folder is "
                "read-only, the disk is full or the lock is not a file. The index there is "
                "left as it is and still answers; to build, free space, make the folder "
                "writable, or set KERNWIJZER_INDEX_DIR to a writable folder."
            ) from exc
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                raise IndexLockedError(
                    f"Another 'kernwijzer index' ({holder}) is building {self.where}; "
                    "wait for it to finish."
                ) from exc
            # Who holds the lock, for the message a second build gets; a full disk that
            # cannot take these bytes does not stop a build that needs none.
            with contextlib.suppress(OSError):
                fh.seek(0)
                fh.truncate()
                fh.write(f"pid {os.getpid()}")
                fh.flush()
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    fh.seek(0)
                    fh.truncate()
                fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            # Unwritten bytes of the holder line must not turn a full disk into a traceback.
            with contextlib.suppress(OSError):
                fh.close()

    def new_build_id(self) -> str:
        """A fresh, sortable build id."""
        return f"b{time.strftime('%Y%m%d%H%M%S')}{uuid.uuid4().hex[:6]}"

    def write(self, build_id: str, kind: str, nodes: Sequence[BaseNode]) -> None:
        """Add nodes (with embeddings) to a build's collection via llama-index."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        client = self.client(build_id)
        collection = client.get_or_create_collection(
            self._name(build_id, kind), metadata={"hnsw:space": "cosine"}
        )
        store = ChromaVectorStore(chroma_collection=collection)
        batch = max(1, min(client.get_max_batch_size(), 2000))
        for i in range(0, len(nodes), batch):
            store.add(list(nodes[i : i + batch]))

    def annotate(self, manifest: Manifest) -> None:
        """Rewrite the active build's manifest (same build, new notes)."""
        self._write_manifest(manifest)

    def switch(self, manifest: Manifest) -> None:
        """Make a finished build the active one, then drop every other build."""
        self._write_manifest(manifest)
        self.remove_other_builds(manifest.build_id)

    def out_of_room(self, exc: BaseException) -> bool:
        """Whether a failed write was for want of disk space.

        chromadb's Rust bindings turn the OS's "no space" into text such as "Error in
        compaction", so the error alone cannot say; a probe write where the build went can.
        """
        if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
            return True
        if self.settings.store.server_mode:
            return False  # the server's disk is not ours to probe
        probe = self.root / f".space-probe.{os.getpid()}"
        try:
            with probe.open("wb") as fh:
                fh.write(b"\0" * _PROBE_BYTES)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as probe_exc:
            return probe_exc.errno in _NO_ROOM
        finally:
            probe.unlink(missing_ok=True)
        return False

    def discard(self, build_id: str) -> None:
        """Delete one unfinished build at once (a failed write), never the active one."""
        try:
            if self.settings.store.server_mode:
                client = self.client("")
                for col in client.list_collections():
                    name = col if isinstance(col, str) else col.name
                    if f"_{build_id}_" in name:
                        client.delete_collection(name)
                return
            shutil.rmtree(self.root / "builds" / build_id, ignore_errors=True)
        except Exception as exc:  # the store that failed may fail again; the next run retries
            log.warning("Could not remove the unfinished build %s: %s", build_id, exc)

    def remove_other_builds(self, keep: str | None) -> None:
        """Delete builds that are not active (older ones, or leftovers of a killed run)."""
        if self.settings.store.server_mode:
            client = self.client("")
            prefix = f"{self.settings.store.collection_prefix}_b"
            for col in client.list_collections():
                name = col if isinstance(col, str) else col.name
                if name.startswith(prefix) and (keep is None or f"_{keep}_" not in name):
                    client.delete_collection(name)
            return
        builds = self.root / "builds"
        if builds.exists():
            for path in builds.iterdir():
                if path.name != keep:
                    shutil.rmtree(path, ignore_errors=True)

    # ---------------------------------------------------------------- reading
    def verify(self, manifest: Manifest) -> None:
        """Raise `IndexCorruptError` unless the build exists and holds what its manifest says."""
        if (
            not self.settings.store.server_mode
            and not (self.root / "builds" / manifest.build_id / "chroma.sqlite3").exists()
        ):
            raise IndexCorruptError(f"Build {manifest.build_id} is missing from {self.root}.")
        try:
            client = self.client(manifest.build_id)
            counts = {
                kind: client.get_collection(self._name(manifest.build_id, kind)).count()
                for kind in manifest.counts
            }
        except Exception as exc:  # chromadb raises many types for a damaged store
            if self.out_of_room(exc):
                # Chroma writes when it opens a store: on a full disk an intact build would
                # look broken, and "rebuilding" it could only fail.
                raise IndexWriteError(
                    f"Not enough disk space at {self.root} to open the index for a build; the "
                    "index there is left as it is and still answers. Free some space, then "
                    "run: kernwijzer index"
                ) from exc
            raise IndexCorruptError(
                f"The index at {self.where} cannot be read ({type(exc).__name__})."
            ) from exc
        if counts != manifest.counts:
            raise IndexCorruptError(
                f"The index at {self.where} holds {counts}, its manifest says {manifest.counts}."
            )
        self.read_copy_state(manifest)  # a damaged read copy is a broken index too

    def read_copy_dir(self, manifest: Manifest) -> Path:
        """Where the read copy of a build lives: beside it, or in the cache for a server."""
        if self.settings.store.server_mode:
            name = f"{self.settings.store.collection_prefix}_{manifest.build_id}"
            return self.settings.embedding.cache_dir / "read-copies" / name
        return self.root / "builds" / manifest.build_id / "read-copy"

    def read_copy_state(self, manifest: Manifest) -> readcopy.State:
        """Whether the build's read copy is verified, unsealed or absent (checked once).

        Raises `ReadCopyDamagedError` when a sealed file fails its digest: an answer from
        it could be wrong, and nothing would say so.
        """
        state = self._copy_state.get(manifest.build_id)
        if state is None:
            folder = self.read_copy_dir(manifest)
            memo = self.settings.embedding.cache_dir / "verified" / f"{manifest.build_id}.json"
            try:
                state = readcopy.check(folder, memo)
            except readcopy.DamagedCopyError as exc:
                raise ReadCopyDamagedError(
                    f"The read copy of the index at {folder} is damaged ({exc}); answers "
                    "from it could be wrong. Repair it with: kernwijzer index"
                ) from exc
            self._copy_state[manifest.build_id] = state
        return state

    def seal_read_copy(self, manifest: Manifest) -> None:
        """Seal a build's read copy once all of it is written (see ``readcopy``)."""
        folder = self.read_copy_dir(manifest)
        readcopy.seal(folder)
        self._copy_state.pop(manifest.build_id, None)

    def drop_read_copy(self, manifest: Manifest) -> None:
        """Remove a build's read copy (a damaged one, before it is written anew)."""
        shutil.rmtree(self.read_copy_dir(manifest), ignore_errors=True)
        self._copy_state[manifest.build_id] = "absent"

    def read(self, manifest: Manifest, kind: str, embeddings: bool = True) -> Records:
        """Every row of one collection of the active build.

        From the build's read copy when it is sealed and verified; else from Chroma, the
        store of record, and then the copy is written (unsealed, until ``seal_read_copy``).
        """
        build = self.root / "builds" / manifest.build_id
        if not self.settings.store.server_mode and not build.exists():
            raise IndexCorruptError(
                f"Build {manifest.build_id} is missing from {self.root}. {REBUILD_HINT}"
            )
        dim = manifest.dim if kind != "documents" else 1
        folder = self.read_copy_dir(manifest)
        state = self.read_copy_state(manifest)
        copied = (
            readcopy.load(folder, kind, manifest.counts.get(kind), dim) if state == "ok" else None
        )
        if copied is not None:
            ids, texts, metas, vectors = copied
            return Records(ids, texts, metas, vectors if embeddings else np.zeros((0, dim)))
        records = self._read_chroma(manifest, kind)
        r = records
        # On a read-only folder or a full disk this only warns: the records answer from
        # memory, and the next start that can write there writes the copy.
        readcopy.save(folder, kind, r.ids, r.texts, r.metadatas, r.embeddings)
        self._copy_state[manifest.build_id] = "unsealed"
        if not embeddings:
            records.embeddings = np.zeros((0, dim))
        return records

    def _read_chroma(self, manifest: Manifest, kind: str) -> Records:
        try:
            col = self.client(manifest.build_id).get_collection(self._name(manifest.build_id, kind))
            include = ["documents", "metadatas", "embeddings"]
            ids: list[str] = []
            texts: list[str] = []
            metas: list[dict[str, Any]] = []
            vecs: list[Any] = []
            total = col.count()
            for offset in range(0, total, 2000):
                got = col.get(include=include, limit=2000, offset=offset)  # type: ignore[arg-type]
                ids += got["ids"]
                texts += got["documents"] or []
                metas += [dict(m) for m in got["metadatas"] or []]
                vecs += list(got["embeddings"])
        except Exception as exc:
            raise IndexCorruptError(
                f"The index at {self.where} cannot be read ({type(exc).__name__}: {exc}). "
                f"{REBUILD_HINT}"
            ) from exc
        expected = manifest.counts.get(kind)
        if expected is not None and expected != len(ids):
            raise IndexCorruptError(
                f"The index at {self.where} holds {len(ids)} {kind}, the manifest says "
                f"{expected}. {REBUILD_HINT}"
            )
        dim = manifest.dim if kind != "documents" else 1
        return Records(ids, texts, metas, np.asarray(vecs, dtype=np.float32).reshape(-1, dim))

    def chunk_vector_store(self, manifest: Manifest) -> ChromaVectorStore:
        """The active build's chunk collection as a llama-index vector store."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        col = self.client(manifest.build_id).get_collection(self._name(manifest.build_id, "chunks"))
        return ChromaVectorStore(chroma_collection=col)
