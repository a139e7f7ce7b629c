import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from pgvector.django import HalfVectorField, HnswIndex, VectorField

# HNSW build quality: 128 (not pgvector's default 64) keeps recall@10 near 0.95+ at 1M vectors
# (bench/search.py); building takes about twice as long.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128


def book_upload_path(instance, filename):
    # A generated name: the user's file name is kept only as data (Book.original_filename).
    suffix = Path(filename).suffix.lower()[:10]
    return f"books/{instance.owner_id}/{uuid.uuid4().hex}{suffix}"


class BookQuerySet(models.QuerySet):
    def readable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(visibility=Book.Visibility.SHARED))

    def owned_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class Book(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private"
        SHARED = "shared"

    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        READY = "ready"
        ERROR = "error"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        EPUB = "epub", "EPUB"
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"
        TEXT = "text", "Plain text"
        ASCIIDOC = "asciidoc", "AsciiDoc"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="books")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE)
    title = models.CharField(max_length=500)
    authors = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices)
    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=book_upload_path, max_length=300)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    physical_pages = models.BooleanField(
        default=False, help_text="True for PDF pages; else pages are computed from word counts"
    )
    word_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="What went wrong, for the reader")
    created_at = models.DateTimeField(auto_now_add=True)
    ingested_at = models.DateTimeField(null=True, blank=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="unique_book_file_per_owner")]

    def __str__(self):
        return self.title


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    heading_path = models.JSONField(default=list)
    page_start = models.PositiveIntegerField(null=True)
    page_end = models.PositiveIntegerField(null=True)
    word_count = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    embedding = VectorField(dimensions=settings.EMBEDDING_DIM, null=True)
    embedder = models.CharField(max_length=100, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", "summary", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["book", "order"]
        constraints = [models.UniqueConstraint(fields=["book", "order"], name="unique_chapter_order")]
        indexes = [
            GinIndex(fields=["search_vector"], name="chapter_search_gin"),
            HnswIndex(
                name="chapter_embedding_hnsw",
                fields=["embedding"],
                m=HNSW_M,
                ef_construction=HNSW_EF_CONSTRUCTION,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.book.title} / {self.title}"


class Chunk(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chunks")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField(help_text="Position in the book")
    text = models.TextField()
    heading_path = models.JSONField(default=list)
    headings = models.TextField(blank=True, help_text="The heading path as text, searched with the passage")
    page_start = models.PositiveIntegerField(null=True)
    page_end = models.PositiveIntegerField(null=True)
    word_count = models.PositiveIntegerField(default=0)
    embedding = VectorField(dimensions=settings.EMBEDDING_DIM, null=True)
    embedder = models.CharField(max_length=100, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("headings", weight="A", config="english")
        + SearchVector("text", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["book", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["book", "ordinal"], name="unique_chunk_ordinal")]
        indexes = [
            GinIndex(fields=["search_vector"], name="chunk_search_gin"),
        ]

    def __str__(self):
        return f"{self.book.title} #{self.ordinal}"


class BookSummary(models.Model):
    book = models.OneToOneField(Book, on_delete=models.CASCADE, related_name="summary")
    summary = models.JSONField(default=dict, help_text="{overview, chapters: [{title, summary}]}")
    text = models.TextField(blank=True)
    embedding = VectorField(dimensions=settings.EMBEDDING_DIM, null=True)
    embedder = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "book summary"
        verbose_name_plural = "book summaries"

    def __str__(self):
        return f"Summary of {self.book.title}"


class Acronym(models.Model):
    """An acronym a book defines ("weighted average cost of capital (WACC)"), mined at ingestion;
    queries are expanded with it both ways (library.retrieval)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="acronyms")
    short = models.CharField(max_length=20)
    expansion = models.CharField(max_length=300)
    lexemes = ArrayField(models.TextField(), default=list, help_text="The expansion's full-text lexemes")
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "short"], name="unique_acronym_per_book")]
        indexes = [
            models.Index(fields=["short"], name="acronym_short"),
            GinIndex(fields=["lexemes"], name="acronym_lexemes_gin"),
        ]

    def __str__(self):
        return f"{self.short} = {self.expansion}"


class TermStat(models.Model):
    """In how many of a book's passages each full-text lexeme occurs: BM25's document frequencies."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="term_stats")
    lexeme = models.TextField()
    df = models.PositiveIntegerField()

    class Meta:
        # `df` is in the index too, so the query statistics (library.fulltext.ANALYSE: a word's
        # frequency in every book) are read from the index alone (measured: half the CPU time).
        constraints = [
            models.UniqueConstraint(fields=["lexeme", "book"], name="unique_term_per_book", include=["df"])
        ]

    def __str__(self):
        return f"{self.lexeme}: {self.df}"


class SearchStats(models.Model):
    """A book's passage count and length, for BM25 over any set of books."""

    book = models.OneToOneField(Book, on_delete=models.CASCADE, related_name="search_stats")
    chunks = models.PositiveIntegerField(default=0)
    words = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.chunks} passages, {self.words} words"


class ChunkVector(models.Model):
    """A narrow copy of each passage's vector (half precision, in line, rows in book order): all
    vector search over passages reads it. An exact scan of a small scope reads a fraction of what
    the wide passage rows (vector kept out of line) cost, and its HNSW index is half the size of
    one over the full-precision column, with each candidate's book and distance on one narrow
    row. Written by `library.search_index.index_book` and `library.reembedding`."""

    chunk = models.OneToOneField(Chunk, on_delete=models.CASCADE, primary_key=True, related_name="narrow")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    embedding = HalfVectorField(dimensions=settings.EMBEDDING_DIM)

    class Meta:
        indexes = [
            HnswIndex(
                name="chunkvector_embedding_hnsw",
                fields=["embedding"],
                m=HNSW_M,
                ef_construction=HNSW_EF_CONSTRUCTION,
                opclasses=["halfvec_cosine_ops"],
            ),
        ]

    def __str__(self):
        return f"vector of passage {self.chunk_id}"


class ChunkText(models.Model):
    """A narrow copy of what the text side of search reads per passage: its full-text vector (in
    line: the table's rows are narrow enough, so no TOAST fetch), its length and whether it opens
    its section. BM25 candidates and their term rows are read from it, with its own GIN index: on
    the wide passage rows the vector is kept out of line, and ranking the passages behind a
    query's rarest words (up to a thousand) read a TOAST row for each (bench/search.py). Written by
    `library.search_index.index_book`."""

    chunk = models.OneToOneField(Chunk, on_delete=models.CASCADE, primary_key=True, related_name="text_row")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    word_count = models.PositiveIntegerField(default=0)
    opens_section = models.BooleanField(
        default=False, help_text="The passage before it, if any, is under other headings"
    )
    search_vector = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["search_vector"], name="chunktext_search_gin")]

    def __str__(self):
        return f"text of passage {self.chunk_id}"
