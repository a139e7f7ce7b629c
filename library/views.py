"""Server-rendered library pages: list and upload, book detail, live status, search."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from library import selectors, services
from library.models import BookSummary
from library.parsing import IngestError
from library.retrieval import QueryError, clean_query, search_chunks
from workers import engine


@login_required
@require_GET
def index(request):
    books = list(selectors.books_for_listing(request.user))
    jobs = engine.latest_jobs("ingest", [b.pk for b in books])
    for book in books:
        book.ingest_job = jobs.get(book.pk)
    return render(
        request,
        "library/index.html",
        {
            "books": books,
            "max_upload_mb": settings.DOCPROF_MAX_UPLOAD_MB,
            "words_per_page": settings.DOCPROF_WORDS_PER_PAGE,
        },
    )


@login_required
@require_POST
def upload(request):
    files = request.FILES.getlist("file")
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
    dupes = [a.book.title for a in added if not a.created]
    if new:
        messages.success(request, f"Reading {len(new)} book(s): {', '.join(new)}.")
    if dupes:
        messages.info(request, f"Already in your library: {', '.join(dupes)}.")
    return redirect("library:index")


@login_required
@require_GET
def book_detail(request, pk):
    book = get_object_or_404(selectors.readable_books(request.user), pk=pk)
    return render(
        request,
        "library/book.html",
        {
            "book": book,
            "chapters": selectors.book_chapters(book),
            "summary": BookSummary.objects.filter(book=book).first(),
            "job": engine.latest_jobs("ingest", [book.pk]).get(book.pk),
        },
    )


@login_required
@require_GET
def book_status(request, pk):
    book = get_object_or_404(selectors.readable_books(request.user), pk=pk)
    job = engine.latest_jobs("ingest", [book.pk]).get(book.pk)
    return render(request, "library/_book_status.html", {"book": book, "job": job})


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
    try:
        query, k = clean_query(request.GET.get("q"), request.GET.get("k") or 10)
    except QueryError as exc:
        context["error"] = str(exc)
        return render(request, "library/_search_results.html", context, status=400)
    context["hits"] = search_chunks(query, selectors.ready_book_ids(request.user), k)
    return render(request, "library/_search_results.html", context)
