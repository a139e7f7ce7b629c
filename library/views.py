"""Server-rendered library pages: list and upload, book detail, live status, search."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from docprof.pagination import page_of
from library import selectors, services
from library.models import Book, BookSummary
from library.parsing import SUPPORTED_EXTENSIONS, IngestError
from library.retrieval import search_chunks
from library.serializers import first_error, search_form
from library.upload_parser import refused_upload
from workers import engine

WORKING = (Book.Status.QUEUED, Book.Status.PROCESSING)


def _with_jobs(books):
    """Attach each book's latest ingest job, and whether it is still being read (pages poll then);
    and a ready book's passage embedding while it runs (`vector_job`: pages poll then too)."""
    books = list(books)
    ids = [b.pk for b in books]
    jobs = engine.latest_jobs_on(
        "book_id", ids, exclude=[services.EMBED_KIND_NAME]
    )  # reading it, or a new version
    vector_jobs = engine.latest_jobs_on("book_id", ids, only=[services.EMBED_KIND_NAME])
    for book in books:
        book.ingest_job = job = jobs.get(book.pk)
        book.working = book.status in WORKING or bool(job and not job.is_terminal)
        vector_job = vector_jobs.get(book.pk)
        book.vector_job = vector_job if vector_job and not vector_job.is_terminal else None
    return books


@login_required
@require_GET
def index(request):
    page = page_of(request, selectors.books_for_listing(request.user))
    return render(
        request,
        "library/index.html",
        {
            "books": _with_jobs(page.object_list),
            "page": page,
            "max_upload_mb": settings.DOCPROF_MAX_UPLOAD_MB,
            "words_per_page": settings.DOCPROF_WORDS_PER_PAGE,
            "accepted_extensions": ",".join(SUPPORTED_EXTENSIONS),
        },
    )


@login_required
@require_POST
def upload(request):
    files = request.FILES.getlist("file")
    refused = refused_upload(request)
    if refused:
        return render(request, "library/upload_error.html", {"error": refused}, status=400)
    if not files:
        messages.error(request, "Choose at least one book file.")
        return redirect("library:index")
    try:
        added = services.add_books(
            owner=request.user, files=files, shared=request.POST.get("shared") == "true"
        )
    except IngestError as exc:
        return render(request, "library/upload_error.html", {"error": exc.message}, status=exc.status_code)
    new = [a.book.title for a in added if a.created]
    again = [a.book.title for a in added if a.retried]
    dupes = [a.book.title for a in added if not a.created and not a.retried]
    if new:
        messages.success(request, f"Reading {len(new)} book(s): {', '.join(new)}.")
    if again:
        messages.success(request, f"Reading again (it could not be read before): {', '.join(again)}.")
    if dupes:
        messages.info(
            request,
            f"Already in your library: {', '.join(dupes)}. To read a book again (after DocProf reads "
            "its format better), upload its file as a new version on the book's page.",
        )
    return redirect("library:index")


@login_required
@require_GET
def book_row(request, pk):
    """The library table's row of one book: polled while it is read, final once it is ready."""
    book = get_object_or_404(selectors.books_for_listing(request.user), pk=pk)
    return render(request, "library/_book_row.html", {"book": _with_jobs([book])[0]})


@login_required
@require_GET
def book_detail(request, pk):
    book = _with_jobs([get_object_or_404(selectors.readable_books(request.user), pk=pk)])[0]
    return render(
        request,
        "library/book.html",
        {
            "book": book,
            "chapters": selectors.book_chapters(book),
            "summary": BookSummary.objects.filter(book=book).first(),
            "job": book.ingest_job,
            "working": book.working,
        },
    )


@login_required
@require_GET
def book_status(request, pk):
    """The book page's status fragment. When reading ends, an htmx poll reloads the page once so
    the chapters, pages and overview appear."""
    book = _with_jobs([get_object_or_404(selectors.readable_books(request.user), pk=pk)])[0]
    if request.htmx and request.GET.get("reading") and not book.working:
        return HttpResponseClientRefresh()
    return render(
        request, "library/_book_status.html", {"book": book, "job": book.ingest_job, "working": book.working}
    )


@login_required
@require_POST
def delete(request, pk):
    book = get_object_or_404(selectors.readable_books(request.user).filter(owner=request.user), pk=pk)
    title = book.title
    services.delete_book(book)
    messages.success(request, f"Deleted {title}.")
    return redirect("library:index")


@login_required
@require_GET
def search(request):
    context = {"query": request.GET.get("q", "")}
    form = search_form(request.GET)
    if not form.is_valid():
        context["error"] = first_error(form.errors)
        return render(request, "library/_search_results.html", context, status=400)
    params = form.validated_data
    context["hits"] = search_chunks(
        params["q"], selectors.ready_book_ids(request.user), params["k"], mode=params["mode"]
    )
    return render(request, "library/_search_results.html", context)
