"""Search benchmark: latency of vector and hybrid search, recall@10 of the HNSW index.

    .venv/bin/python bench/search.py --chunks 100000 [--queries 200] [--keep]
    .venv/bin/python bench/search.py --chunks 1000000 --keep
    .venv/bin/python bench/search.py --chunks 100000 --keep --latency-only --no-explain   # quick

Runs against its own database, docprof_bench_<chunks>, on the same server as the project
(the embedded PostgreSQL unless DATABASE_URL is set), migrated with the product's migrations,
so the schema and indexes are exactly the product's. It never touches the dev database.

Data is synthetic: ~100 books of one bench user, one chapter per 1,000 chunks; vectors are
clustered (1,000 random centroids in EMBEDDING_DIM dimensions; each vector is a centroid plus
noise, L2-normalised); texts are 60-120 words from a Zipf-distributed vocabulary of pseudo-words
mixed with English filler. Everything is generated from a fixed seed, so a kept database can be
re-used (--keep) and the exact nearest neighbours recomputed with numpy without reloading.

Scopes: all books, 10% and 1% of them (a user's own books on a shared server). After loading, the
product's library.search_index.index_book writes each book's BM25 statistics and narrow vector and
text rows.
Latency is measured through the product code path, library.retrieval.search_chunks; recall@10
compares library.retrieval._vector_ids (per scope: an exact scan of the narrow vector table for a
small scope, the HNSW index above) with the exact top 10 (numpy brute force over the generated
vectors, spot-checked against an exact sequential scan in Postgres).
Per-search work, which machine load distorts much less than wall-clock latency, is measured for the
first --work-queries queries of each scope and mode: SQL round trips, this process's CPU time
(time.process_time), the Postgres backend's CPU time (/proc/PID/schedstat of the backend serving
the connection: time on a core, not time waiting for one), and EXPLAIN (ANALYZE, BUFFERS) time and
shared buffers of the same statements replayed.
Prints a table (with the load average) and, last, one JSON line with every number.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

N_BOOKS = 100
CHUNKS_PER_CHAPTER = 1000
N_CENTROIDS = 1000
VOCAB_SIZE = 5000
BATCH = 20_000
ZIPF_S = 1.0
# Noise around a centroid: a part in a shared low-dimensional subspace (real embeddings have a
# low intrinsic dimension) plus isotropic noise; norms relative to the unit-norm centroid.
LATENT_DIM = 64
LATENT_NORM = 0.8
ISO_NORM = 0.5
QUERY_NOISE_SCALE = 0.5  # queries: a centroid plus half the data's noise, i.e. near real data
EF_SWEEP = (40, 100, 200)
FILLER = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there one all we their been has would when who will more if "
    "no out so said what up its about into than them can only other new some could time these two "
    "may then do first any my now such like our over man me even most made after also did many "
    "before must through back years where much your way well down should because each just those "
    "people how too little state good very make world still own see men work long get here between "
    "both life being under never day same another know while last might us great old year off come "
    "since against go came right used take three value price market capital cash flow growth rate "
    "return risk cost equity debt firm company earnings margin investment analysis model period"
).split()


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chunks", type=int, default=100_000, help="number of chunks (e.g. 100000, 1000000)")
    p.add_argument("--queries", type=int, default=200, help="number of queries per measurement")
    p.add_argument("--keep", action="store_true", help="keep the bench database (re-used when it matches)")
    p.add_argument("--rebuild-index", action="store_true", help="rebuild the HNSW index of kept data")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument(
        "--no-scoped", action="store_true", help="skip the runs scoped to 1%% and 10%% of the books"
    )
    p.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE of sample queries")
    p.add_argument(
        "--work-queries",
        type=int,
        default=50,
        help="queries per scope and mode whose per-search work is measured (round trips, CPU, server time)",
    )
    p.add_argument("--latency-only", action="store_true", help="skip the recall sweeps (quick iterations)")
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------------------
# Synthetic data


class Synth:
    """Deterministic generator: the same seed and row range give the same rows."""

    def __init__(self, n: int, dim: int, seed: int):
        self.n, self.dim, self.seed = n, dim, seed
        rng = np.random.default_rng([seed, 0])
        self.centroids = _normalise(rng.standard_normal((N_CENTROIDS, dim), dtype=np.float32))
        basis, _ = np.linalg.qr(rng.standard_normal((dim, LATENT_DIM)))
        self.basis = basis.T.astype(np.float32)  # LATENT_DIM x dim, orthonormal rows
        self.vocab = _pseudo_words(rng, VOCAB_SIZE)
        ranks = np.arange(1, VOCAB_SIZE + 1, dtype=np.float64)
        weights = ranks**-ZIPF_S
        self.word_p = weights / weights.sum()
        self.words = np.array(self.vocab + FILLER, dtype=object)
        self.per_book = math.ceil(n / N_BOOKS)

    def book_index(self, rows: np.ndarray) -> np.ndarray:
        return rows // self.per_book

    def _noise(self, rng, count: int, scale: float) -> np.ndarray:
        latent = rng.standard_normal((count, LATENT_DIM), dtype=np.float32)
        latent *= LATENT_NORM * scale / math.sqrt(LATENT_DIM)
        iso = rng.standard_normal((count, self.dim), dtype=np.float32)
        iso *= ISO_NORM * scale / math.sqrt(self.dim)
        return latent @ self.basis + iso

    def vectors(self, start: int, stop: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 1, start])
        count = stop - start
        assign = rng.integers(0, N_CENTROIDS, count)
        return _normalise(self.centroids[assign] + self._noise(rng, count, 1.0))

    def texts(self, start: int, stop: int) -> list[str]:
        rng = np.random.default_rng([self.seed, 2, start])
        count = stop - start
        lengths = rng.integers(60, 121, count)
        idx = rng.choice(VOCAB_SIZE, size=(count, 120), p=self.word_p)
        filler = rng.random((count, 120)) < 0.3
        idx[filler] = VOCAB_SIZE + rng.integers(0, len(FILLER), int(filler.sum()))
        return [" ".join(self.words[idx[i, : lengths[i]]]) for i in range(count)]

    def queries(self, count: int, noise_scale: float = QUERY_NOISE_SCALE) -> tuple[np.ndarray, list[str]]:
        rng = np.random.default_rng([self.seed, 3, int(noise_scale * 1000)])
        assign = rng.integers(0, N_CENTROIDS, count)
        vecs = _normalise(self.centroids[assign] + self._noise(rng, count, noise_scale))
        # Query words: content words (skip the 20 most frequent pseudo-words, which behave like
        # stop words), Zipf-weighted like the text.
        p = self.word_p[20:] / self.word_p[20:].sum()
        texts = []
        for _ in range(count):
            n_words = int(rng.integers(2, 7))
            texts.append(" ".join(self.vocab[20 + j] for j in rng.choice(len(p), n_words, p=p)))
        return vecs, texts


def _normalise(a: np.ndarray) -> np.ndarray:
    a = a.astype(np.float32, copy=False)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def _pseudo_words(rng, count: int) -> list[str]:
    onsets = list("bdfgklmnprstvz") + ["br", "dr", "kr", "st", "tr", "pl", "gl", "sk"]
    vowels = list("aeiou") + ["ai", "ou", "ea"]
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < count:
        syllables = int(rng.integers(2, 5))
        w = "".join(
            onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))] for _ in range(syllables)
        )
        w += "nrslm"[rng.integers(5)]
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class ExactTopK:
    """Running exact top-k (cosine on unit vectors = dot product) per query, fed batch by batch."""

    def __init__(self, queries: np.ndarray, k: int = 10):
        self.q = queries
        self.k = k
        self.scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        self.ids = np.zeros((len(queries), k), dtype=np.int64)

    def add(self, vecs: np.ndarray, ids: np.ndarray) -> None:
        if len(ids) == 0:
            return
        s = self.q @ vecs.T  # queries x batch
        k = min(self.k, s.shape[1])
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        all_s = np.concatenate([self.scores, np.take_along_axis(s, part, axis=1)], axis=1)
        all_i = np.concatenate([self.ids, ids[part]], axis=1)
        order = np.argsort(-all_s, axis=1, kind="stable")[:, : self.k]
        self.scores = np.take_along_axis(all_s, order, axis=1)
        self.ids = np.take_along_axis(all_i, order, axis=1)

    def sets(self) -> list[set[int]]:
        return [set(map(int, row)) for row in self.ids]


# ---------------------------------------------------------------------------------------------
# Database


def admin_connect(connection):
    """A psycopg connection to the `postgres` database of the server Django uses."""
    import psycopg

    params = connection.get_connection_params()
    kw = {k: params[k] for k in ("user", "password", "host", "port") if params.get(k)}
    return psycopg.connect(dbname="postgres", autocommit=True, **kw)


def loader_connect(connection):
    import psycopg
    from pgvector.psycopg import register_vector

    params = connection.get_connection_params()
    kw = {k: params[k] for k in ("user", "password", "host", "port") if params.get(k)}
    conn = psycopg.connect(dbname=connection.settings_dict["NAME"], autocommit=True, **kw)
    register_vector(conn)
    return conn


def ensure_database(connection, name: str) -> bool:
    with admin_connect(connection) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    return not exists


def drop_database(connection, name: str) -> None:
    connection.close()
    with admin_connect(connection) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


HNSW_INDEX = "chunkvector_embedding_hnsw"  # on the narrow vector table (library.models.ChunkVector)


def build_hnsw(conn) -> float:
    """The passages' HNSW index exactly as the product defines it (library.reembedding, which
    rebuilds it after an embedder switch, builds it from the same definition as the migration)."""
    from library.models import HNSW_EF_CONSTRUCTION, HNSW_M
    from library.reembedding import index_sql

    t = time.perf_counter()
    conn.execute(index_sql(HNSW_INDEX))
    seconds = time.perf_counter() - t
    log(f"HNSW index {HNSW_INDEX} (m={HNSW_M}, ef_construction={HNSW_EF_CONSTRUCTION}): {seconds:.1f} s")
    return seconds


def load(synth: Synth, connection, exact_sets: list[tuple[ExactTopK, np.ndarray | None]]) -> dict:
    """Create the bench user, books, chapters; COPY the chunks; build the indexes. Returns timings."""
    from django.contrib.auth import get_user_model

    from library.models import Book, Chapter

    n = synth.n
    timings: dict[str, float] = {}
    with connection.cursor() as cur:
        cur.execute("TRUNCATE library_chunk, library_chapter, library_book RESTART IDENTITY CASCADE")
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"email": "bench@example.com"}
    )
    n_books = math.ceil(n / synth.per_book)
    books = Book.objects.bulk_create(
        Book(
            owner=user,
            visibility=Book.Visibility.PRIVATE,
            status=Book.Status.READY,
            title=f"Bench book {b + 1:03d}",
            format=Book.Format.TEXT,
            original_filename=f"bench-{b + 1:03d}.txt",
            file=f"books/bench/{b + 1:03d}.txt",
            sha256=f"{b + 1:064x}",
        )
        for b in range(n_books)
    )
    chapter_ids: list[list[int]] = []
    for b, book in enumerate(books):
        in_book = min(synth.per_book, n - b * synth.per_book)
        chapters = Chapter.objects.bulk_create(
            Chapter(book=book, order=c, title=f"Chapter {c + 1}", heading_path=[f"Chapter {c + 1}"])
            for c in range(math.ceil(in_book / CHUNKS_PER_CHAPTER))
        )
        chapter_ids.append([c.id for c in chapters])
    book_ids = [b.id for b in books]

    from psycopg.types.json import Jsonb

    t0 = time.perf_counter()
    with loader_connect(connection) as conn:
        conn.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")  # built after the narrow table is filled
        conn.execute("DROP INDEX IF EXISTS chunk_search_gin")
        # Rows are generated consistent with their books and chapters: skip the per-row FK triggers.
        conn.execute("SET session_replication_role = replica")
        headings = [f"Chapter {c + 1}" for c in range(math.ceil(synth.per_book / CHUNKS_PER_CHAPTER))]
        heading_paths = [Jsonb([h]) for h in headings]
        columns, types, defaults = chunk_columns(conn)
        log(f"  COPY columns: {', '.join(columns)}")
        sql = f"COPY library_chunk ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with conn.cursor() as cur, cur.copy(sql) as copy:
            copy.set_types(types)
            for start in range(0, n, BATCH):
                stop = min(start + BATCH, n)
                vecs = synth.vectors(start, stop)
                texts = synth.texts(start, stop)
                rows = np.arange(start, stop)
                for acc, mask in exact_sets:
                    sel = slice(None) if mask is None else mask[synth.book_index(rows)]
                    acc.add(vecs[sel], rows[sel] + 1)
                for j, i in enumerate(range(start, stop)):
                    b, ordinal = divmod(i, synth.per_book)
                    c = ordinal // CHUNKS_PER_CHAPTER
                    page = ordinal // 3 + 1
                    text = texts[j]
                    values = {
                        **defaults,
                        "id": i + 1,
                        "book_id": book_ids[b],
                        "chapter_id": chapter_ids[b][c],
                        "ordinal": ordinal,
                        "text": text,
                        "heading_path": heading_paths[c],
                        "headings": headings[c],
                        "page_start": page,
                        "page_end": page,
                        "word_count": text.count(" ") + 1,
                        "embedding": vecs[j],
                        "embedder": "bench-synthetic",
                    }
                    copy.write_row([values[col] for col in columns])
                if (stop // BATCH) % 10 == 0 or stop == n:
                    log(f"  loaded {stop:,} / {n:,} chunks ({time.perf_counter() - t0:.0f} s)")
        conn.execute("SET session_replication_role = DEFAULT")
        conn.execute("SELECT setval(pg_get_serial_sequence('library_chunk', 'id'), %s)", [n])
        timings["load_s"] = time.perf_counter() - t0
        log(f"COPY of {n:,} chunks: {timings['load_s']:.1f} s")

        conn.execute("SET maintenance_work_mem = '6GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        t = time.perf_counter()
        conn.execute("CREATE INDEX chunk_search_gin ON library_chunk USING gin (search_vector)")
        timings["gin_build_s"] = time.perf_counter() - t
        log(f"GIN index: {timings['gin_build_s']:.1f} s")
        t = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) library_chunk")
        conn.execute("ANALYZE library_book")
        conn.execute("ANALYZE library_chapter")
        timings["vacuum_analyze_s"] = time.perf_counter() - t
        log(f"VACUUM ANALYZE: {timings['vacuum_analyze_s']:.1f} s")
    # BM25 statistics and the narrow vector copy, then the HNSW index over the copy.
    timings["search_stats_s"] = index_books(book_ids)
    with loader_connect(connection) as conn:
        conn.execute("SET maintenance_work_mem = '6GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        timings["hnsw_build_s"] = build_hnsw(conn)
        conn.execute("VACUUM (ANALYZE) library_chunkvector")
        conn.execute("VACUUM (ANALYZE) library_termstat")
    return timings


def index_books(book_ids) -> float:
    """BM25 statistics (and acronyms) per book, as ingestion writes them (library.retrieval)."""
    from library.retrieval import index_book

    t = time.perf_counter()
    for book_id in book_ids:
        index_book(book_id)
    seconds = time.perf_counter() - t
    log(f"BM25 statistics for {len(book_ids)} books: {seconds:.1f} s")
    return seconds


def chunk_columns(conn) -> tuple[list[str], list[str], dict]:
    """The writable columns of library_chunk as migrated (the schema may change under this script),
    their types, and defaults from the model for columns this script does not fill itself."""
    from psycopg.types.json import Jsonb

    from library.models import Chunk

    rows = conn.execute(
        "SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = 'library_chunk' "
        "AND table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY ordinal_position"
    ).fetchall()
    fields = {f.column: f for f in Chunk._meta.concrete_fields}
    defaults = {}
    for column, udt in rows:
        field = fields.get(column)
        value = field.get_default() if field is not None else None
        defaults[column] = Jsonb(value) if udt == "jsonb" and value is not None else value
    return [r[0] for r in rows], [r[1] for r in rows], defaults


def data_matches(connection, n: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), coalesce(max(id), 0) FROM library_chunk")
        count, max_id = cur.fetchone()
        cur.execute(
            "SELECT (SELECT count(*) FROM library_chunkvector), (SELECT count(*) FROM library_chunktext)"
        )
        narrow, narrow_text = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname IN (%s, 'chunk_search_gin')", [HNSW_INDEX]
        )
        (indexes,) = cur.fetchone()
    return count == n and max_id == n and narrow == n and narrow_text == n and indexes == 2


def vectors_match(synth: Synth, connection) -> bool:
    """Spot-check that the kept rows are the ones this generator produces."""
    rows = sorted({0, synth.n // 2, synth.n - 1})
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, embedding::text FROM library_chunk WHERE id = ANY(%s) ORDER BY id",
            [[r + 1 for r in rows]],
        )
        got = cur.fetchall()
    for (chunk_id, literal), row in zip(got, rows, strict=True):
        db = np.array(json.loads(literal), dtype=np.float32)
        start = row // BATCH * BATCH  # rows are generated (and seeded) in batches
        expected = synth.vectors(start, min(start + BATCH, synth.n))[row - start]
        if chunk_id != row + 1 or not np.allclose(db, expected, atol=1e-5):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Measurements


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def summary(ms: list[float]) -> dict:
    return {
        "p50_ms": round(pct(ms, 50), 2),
        "p95_ms": round(pct(ms, 95), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "mean_ms": round(float(np.mean(ms)), 2),
        "max_ms": round(float(np.max(ms)), 2),
    }


def time_mode(search_chunks, mode: str, qvecs, qtexts, book_ids) -> tuple[dict, list[float]]:
    ms = []
    for v, text in zip(qvecs, qtexts, strict=True):
        t = time.perf_counter()
        search_chunks(text, book_ids, k=10, mode=mode, vector=v)
        ms.append((time.perf_counter() - t) * 1000)
    return summary(ms), ms


class StatementLog:
    """Records every SQL statement Django sends (a connection.execute_wrapper)."""

    def __init__(self):
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def replay_server_ms(connection, statements) -> tuple[float, int]:
    """Server time (planning + execution, from EXPLAIN (ANALYZE, BUFFERS)) and shared buffers
    touched by a search's statements, replayed in order in one transaction that is rolled back
    (SET LOCAL statements are re-applied as they were). Machine load distorts this much less than
    wall-clock latency: it counts only the work of the backend while it runs."""
    total_ms, buffers = 0.0, 0
    with connection.cursor() as cur:
        conn = cur.connection  # psycopg: EXPLAIN statements outside Django's wrapper
        with conn.transaction(force_rollback=True), conn.cursor() as raw:
            for sql, params in statements:
                if sql.lstrip().upper().startswith("SET "):
                    raw.execute(sql, params)
                    continue
                raw.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                plan = raw.fetchone()[0][0]
                total_ms += plan.get("Planning Time", 0.0) + plan.get("Execution Time", 0.0)
                top = plan["Plan"]
                buffers += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return total_ms, buffers


def backend_cpu_ns(pid: int) -> int | None:
    """CPU time the server process `pid` has used so far (Linux /proc/PID/schedstat, in ns): the
    backend's own work, which machine load does not inflate (waiting for a core is not counted)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def work_mode(connection, search_chunks, mode: str, qvecs, qtexts, book_ids) -> dict:
    """Per search: SQL round trips (statements, plus BEGIN and COMMIT of an explicit transaction),
    CPU time of this (client) process and of the Postgres backend serving it (both exclude time
    spent waiting for a core), and the backend's EXPLAIN (ANALYZE, BUFFERS) time and buffers for the
    same statements (replayed; wall-clock, so load still inflates that time)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    trips, cpu_ms, backend_ms, server_ms, buffers = [], [], [], [], []
    for v, text in zip(qvecs, qtexts, strict=True):
        log_ = StatementLog()
        with connection.execute_wrapper(log_):
            b0 = backend_cpu_ns(pid)
            t = time.process_time()
            search_chunks(text, book_ids, k=10, mode=mode, vector=v)
            cpu_ms.append((time.process_time() - t) * 1000)
            b1 = backend_cpu_ns(pid)
        if b0 is not None and b1 is not None:
            backend_ms.append((b1 - b0) / 1e6)
        sets = [s for s, _ in log_.statements if s.lstrip().upper().startswith("SET LOCAL")]
        trips.append(len(log_.statements) + (2 if sets else 0))
        ms, bufs = replay_server_ms(connection, log_.statements)
        server_ms.append(ms)
        buffers.append(bufs)
    return {
        "round_trips": round(float(np.mean(trips)), 2),
        "client_cpu_p50_ms": round(pct(cpu_ms, 50), 2),
        "client_cpu_p95_ms": round(pct(cpu_ms, 95), 2),
        "backend_cpu_p50_ms": round(pct(backend_ms, 50), 2),
        "backend_cpu_p95_ms": round(pct(backend_ms, 95), 2),
        "explain_p50_ms": round(pct(server_ms, 50), 2),
        "explain_p95_ms": round(pct(server_ms, 95), 2),
        "buffers_p50": int(pct(buffers, 50)),
    }


def recall_sweep(retrieval, qvecs, exact: list[set[int]], book_ids, efs) -> dict:
    out = {}
    saved = retrieval.EF_SEARCH
    try:
        for ef in efs:
            retrieval.EF_SEARCH = ef
            r10, r_prod, ms10, ms40 = [], [], [], []
            for v, truth in zip(qvecs, exact, strict=True):
                t = time.perf_counter()
                ids10 = retrieval._vector_ids("library_chunk", v, book_ids, 10)
                ms10.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                ids40 = retrieval._vector_ids("library_chunk", v, book_ids, 40)
                ms40.append((time.perf_counter() - t) * 1000)
                r10.append(len(set(ids10) & truth) / 10)
                r_prod.append(len(set(ids40[:10]) & truth) / 10)
            out[ef] = {
                "recall10_limit10": round(float(np.mean(r10)), 4),
                "recall10_limit40": round(float(np.mean(r_prod)), 4),
                "min_recall10_limit40": round(float(np.min(r_prod)), 2),
                "vector_ids_limit10_p50_ms": round(pct(ms10, 50), 2),
                "vector_ids_limit10_p95_ms": round(pct(ms10, 95), 2),
                "vector_ids_limit40_p50_ms": round(pct(ms40, 50), 2),
                "vector_ids_limit40_p95_ms": round(pct(ms40, 95), 2),
            }
    finally:
        retrieval.EF_SEARCH = saved
    return out


def exact_check(connection, retrieval, qvecs, exact: list[set[int]], book_ids, count: int = 2) -> float:
    """Fraction of numpy's exact top-10 that a Postgres sequential scan agrees with."""
    agree = []
    with connection.cursor() as cur:
        for v, truth in list(zip(qvecs, exact, strict=True))[:count]:
            cur.execute("BEGIN")
            cur.execute("SET LOCAL enable_indexscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
            cur.execute(
                "SELECT id FROM library_chunk WHERE book_id = ANY(%s) "
                "ORDER BY embedding <=> %s::vector LIMIT 10",
                [list(book_ids), retrieval._vector_literal(v)],
            )
            ids = {row[0] for row in cur.fetchall()}
            cur.execute("COMMIT")
            agree.append(len(ids & truth) / 10)
    return float(np.mean(agree))


def explain(connection, retrieval, v, text: str, book_ids) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements the product sends for one hybrid search (as
    sent: recorded while library.retrieval.search_chunks runs, then explained in order in one
    transaction that is rolled back). Long literals (the query vector, the scope) are shortened."""
    import re

    log_ = StatementLog()
    with connection.execute_wrapper(log_):
        retrieval.search_chunks(text, book_ids, k=10, mode="hybrid", vector=v)
    plans = {}
    with connection.cursor() as cur:
        conn = cur.connection
        with conn.transaction(force_rollback=True), conn.cursor() as raw:
            for i, (sql, params) in enumerate(log_.statements, start=1):
                raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                lines = [row[0] for row in raw.fetchall()]
                lines = [re.sub(r"'\[[-0-9.e,]{200,}\]'", "'[vector]'", line) for line in lines]
                lines = [re.sub(r"'\{[0-9,]{60,}\}'", "'{books}'", line) for line in lines]
                plans[f"statement {i}"] = "\n".join(lines)
    return plans


def text_match_counts(connection, text: str, book_ids) -> tuple[int, int]:
    """How many chunks match all query words, and any of them (through the GIN index)."""
    counts = []
    with connection.cursor() as cur:
        for tsq in (
            "plainto_tsquery('english', %(q)s)",
            "replace(plainto_tsquery('english', %(q)s)::text, ' & ', ' | ')::tsquery",
        ):
            cur.execute(
                "SELECT count(*) FROM library_chunk WHERE book_id = ANY(%(books)s) "
                f"AND search_vector @@ {tsq}",
                {"q": text, "books": list(book_ids)},
            )
            counts.append(cur.fetchone()[0])
    return counts[0], counts[1]


def run_scope(label, retrieval, qvecs, qtexts, exact, book_ids, efs, work_queries=50) -> dict:
    from django.db import connection

    search_chunks = retrieval.search_chunks
    warm = min(30, len(qtexts))
    for mode in ("vector", "text", "hybrid"):
        time_mode(search_chunks, mode, qvecs[:warm], qtexts[:warm], book_ids)
    result = {"books": len(book_ids)}
    raw = {}
    for mode in ("vector", "text", "hybrid"):
        result[mode], raw[mode] = time_mode(search_chunks, mode, qvecs, qtexts, book_ids)
        log(f"  [{label}] {mode:6s} p50 {result[mode]['p50_ms']:.1f} ms  p95 {result[mode]['p95_ms']:.1f} ms")
    for mode in ("vector", "text", "hybrid"):
        n = min(work_queries, len(qtexts))
        result[mode]["work"] = w = work_mode(connection, search_chunks, mode, qvecs[:n], qtexts[:n], book_ids)
        log(
            f"  [{label}] {mode:6s} work: {w['round_trips']} round trips, client CPU p50 "
            f"{w['client_cpu_p50_ms']} ms, backend CPU p50 {w['backend_cpu_p50_ms']} ms "
            f"p95 {w['backend_cpu_p95_ms']} ms"
        )
    result["recall"] = recall_sweep(retrieval, qvecs, exact, book_ids, efs) if efs else {}
    for ef, r in result["recall"].items():
        log(
            f"  [{label}] ef_search {ef}: recall@10 {r['recall10_limit10']:.3f} (LIMIT 10), "
            f"{r['recall10_limit40']:.3f} (first 10 of LIMIT 40)"
        )
    result["slowest_hybrid_query"] = int(np.argmax(raw["hybrid"]))
    return result


def print_table(n: int, timings: dict, scopes: dict, product_ef: int) -> None:
    print()
    print(f"=== bench/search.py: {n:,} chunks ===")
    if timings:
        print(" | ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    else:
        print("data re-used from the kept database (no load)")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"{'scope':14s} {'mode':8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} "
        f"{'trips':>6s} {'cpu p50':>8s} {'cpu p95':>8s} {'pg p50':>8s} {'pg p95':>8s} {'expl p50':>8s} "
        f"{'bufs':>6s}"
    )
    for label, s in scopes.items():
        for mode in ("vector", "text", "hybrid"):
            m, w = s[mode], s[mode].get("work", {})
            print(
                f"{label:14s} {mode:8s} {m['p50_ms']:8.1f} {m['p95_ms']:8.1f} "
                f"{m['p99_ms']:8.1f} {m['max_ms']:8.1f} {w.get('round_trips', 0):6.1f} "
                f"{w.get('client_cpu_p50_ms', 0):8.2f} {w.get('client_cpu_p95_ms', 0):8.2f} "
                f"{w.get('backend_cpu_p50_ms', 0):8.2f} {w.get('backend_cpu_p95_ms', 0):8.2f} "
                f"{w.get('explain_p50_ms', 0):8.2f} {w.get('buffers_p50', 0):6d}"
            )
    print(
        "per search (first --work-queries queries): trips = SQL round trips; cpu = this process's CPU ms; "
        "pg = the Postgres backend's CPU ms (/proc schedstat); expl = EXPLAIN ANALYZE ms of the same "
        "statements replayed (wall-clock); bufs = shared buffers they touch"
    )
    print()
    print(
        f"{'scope':14s} {'ef_search':>9s} {'rec@10 L10':>10s} {'rec@10 L40':>10s} "
        f"{'L40 p50':>8s} {'L40 p95':>8s}"
    )
    for label, s in scopes.items():
        for ef, r in s["recall"].items():
            mark = " (product)" if ef == product_ef else ""
            print(
                f"{label:14s} {ef:9d} {r['recall10_limit10']:10.3f} {r['recall10_limit40']:10.3f} "
                f"{r['vector_ids_limit40_p50_ms']:8.1f} {r['vector_ids_limit40_p95_ms']:8.1f}{mark}"
            )
    print()


def main(argv=None) -> int:
    args = parse_args(argv)
    db_name = f"docprof_bench_{args.chunks}"
    os.environ["DOCPROF_DB_NAME"] = db_name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from library import retrieval

    if connection.settings_dict["NAME"] != db_name or not db_name.startswith("docprof_bench_"):
        raise SystemExit(f"refusing to run: Django would use database {connection.settings_dict['NAME']!r}")

    created = ensure_database(connection, db_name)
    log(f"database {db_name} ({'created' if created else 'exists'}); migrating")
    call_command("migrate", verbosity=0, interactive=False)

    synth = Synth(args.chunks, settings.EMBEDDING_DIM, args.seed)
    qvecs, qtexts = synth.queries(args.queries)
    # Scopes: a user's own books are a small share of a shared server (1% and 10% of the books).
    scope_sizes = {"1pct_books": max(1, N_BOOKS // 100), "10pct_books": max(1, N_BOOKS // 10)}
    scope_masks = {}
    for label, count in scope_sizes.items():
        scope_masks[label] = np.zeros(N_BOOKS + 1, dtype=bool)
        scope_masks[label][:count] = True
    # A second, harder query set for recall only: fresh samples of the data distribution
    # (full noise), so the true neighbours are spread over the cluster rather than near its centre.
    qvecs_data, _ = synth.queries(args.queries, noise_scale=1.0)
    exact_all = ExactTopK(qvecs)
    exact_scoped = {label: ExactTopK(qvecs) for label in scope_sizes}
    exact_data = ExactTopK(qvecs_data)
    feeds = [(exact_all, None), (exact_data, None)]
    if not args.no_scoped:
        feeds += [(exact_scoped[label], scope_masks[label]) for label in scope_sizes]

    timings: dict = {}
    if args.rebuild_index and data_matches(connection, args.chunks):
        with connection.cursor() as cursor:
            conn = cursor.connection
            conn.execute("SET maintenance_work_mem = '6GB'")
            conn.execute("SET max_parallel_maintenance_workers = 1")
            conn.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
            timings["hnsw_build_s"] = build_hnsw(conn)
    if not (args.keep and data_matches(connection, args.chunks) and vectors_match(synth, connection)):
        log(f"loading {args.chunks:,} synthetic chunks")
        timings = load(synth, connection, feeds)
    else:
        log("kept data matches; computing exact neighbours with numpy")
        for start in range(0, args.chunks, BATCH):
            stop = min(start + BATCH, args.chunks)
            vecs = synth.vectors(start, stop)
            rows = np.arange(start, stop)
            for acc, mask in feeds:
                sel = slice(None) if mask is None else mask[synth.book_index(rows)]
                acc.add(vecs[sel], rows[sel] + 1)

    from library.models import Book, SearchStats

    book_ids = list(Book.objects.filter(owner__username="bench").order_by("id").values_list("id", flat=True))
    if SearchStats.objects.filter(book_id__in=book_ids).count() < len(book_ids):
        timings["search_stats_s"] = index_books(book_ids)
    product_ef = retrieval.EF_SEARCH
    efs = [] if args.latency_only else sorted({*EF_SWEEP, product_ef})
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_relation_size('library_chunk')), "
            "pg_size_pretty(pg_total_relation_size('library_chunk')), "
            f"pg_size_pretty(pg_relation_size('{HNSW_INDEX}')), "
            "pg_size_pretty(pg_relation_size('chunk_search_gin')), "
            "pg_size_pretty(pg_relation_size('library_chunkvector')), "
            "pg_size_pretty(pg_total_relation_size('library_chunktext')), current_setting('shared_buffers')"
        )
        sizes = dict(
            zip(
                ("table", "table_total", "hnsw", "gin", "narrow_table", "narrow_text", "shared_buffers"),
                cur.fetchone(),
                strict=True,
            )
        )
    log(f"sizes: {sizes}")
    check = exact_check(connection, retrieval, qvecs, exact_all.sets(), book_ids)
    log(f"numpy exact top-10 vs Postgres sequential scan: {check:.2f} agreement")

    scopes = {}
    log(f"measuring: {args.queries} queries, all {len(book_ids)} books")
    scopes["all_books"] = run_scope(
        "all books", retrieval, qvecs, qtexts, exact_all.sets(), book_ids, efs, args.work_queries
    )
    log("recall with data-like queries (full noise), all books")
    recall_data = recall_sweep(retrieval, qvecs_data, exact_data.sets(), book_ids, efs) if efs else {}
    for ef, r in recall_data.items():
        log(f"  [data-like queries] ef_search {ef}: recall@10 {r['recall10_limit40']:.3f}")
    if not args.no_scoped:
        for label, count in scope_sizes.items():
            scoped_ids = book_ids[:count]
            log(f"measuring: {args.queries} queries, {len(scoped_ids)} books ({label})")
            exact = exact_scoped[label].sets()
            scopes[label] = run_scope(
                label, retrieval, qvecs, qtexts, exact, scoped_ids, efs, args.work_queries
            )

    matches = [text_match_counts(connection, t, book_ids) for t in qtexts[:50]]
    text_stats = {
        "and_matches_median": int(np.median([m[0] for m in matches])),
        "or_fallback_fraction": round(float(np.mean([m[0] < 40 for m in matches])), 3),
        "or_matches_median": int(np.median([m[1] for m in matches])),
    }
    log(f"text matches over the first 50 queries: {text_stats}")

    plans = {}
    if not args.no_explain:
        slow = scopes["all_books"]["slowest_hybrid_query"]
        runs = [("query0 all books", 0, book_ids), (f"q{slow} (slowest hybrid) all books", slow, book_ids)]
        if not args.no_scoped:  # each scope has its own plan (exact scan, BitmapAnd with the scope)
            runs += [(f"query0 {label}", 0, book_ids[:count]) for label, count in scope_sizes.items()]
        for label, i, ids in runs:
            plans[label] = explain(connection, retrieval, qvecs[i], qtexts[i], ids)
            print(f"\n--- EXPLAIN {label}: {qtexts[i]!r} ---")
            for name, plan in plans[label].items():
                print(f"[{name}]\n{plan}\n")

    print_table(args.chunks, timings, scopes, product_ef)
    for ef, r in recall_data.items():
        print(
            f"{'data-like q':14s} {ef:9d} {r['recall10_limit10']:10.3f} {r['recall10_limit40']:10.3f} "
            f"{r['vector_ids_limit40_p50_ms']:8.1f} {r['vector_ids_limit40_p95_ms']:8.1f}"
        )
    print()
    results = {
        "chunks": args.chunks,
        "queries": args.queries,
        "database": db_name,
        "ef_search_product": product_ef,
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "sizes": sizes,
        "exact_check": check,
        "text_stats": text_stats,
        "scopes": scopes,
        "recall_data_like_queries": recall_data,
    }
    results["load_average"] = os.getloadavg()
    if args.chunks >= 1_000_000 and efs:
        a = scopes["all_books"]
        results["targets_1m"] = {
            "vector_p95_le_20ms": a["vector"]["p95_ms"] <= 20,
            "recall10_ge_0.95": a["recall"][product_ef]["recall10_limit40"] >= 0.95,
            "hybrid_p95_le_40ms": a["hybrid"]["p95_ms"] <= 40,
        }
    print(json.dumps(results, default=str))

    if not args.keep:
        log(f"dropping {db_name}")
        drop_database(connection, db_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
