"""Long lists in pages. The JSON lists keep their shape (a plain array, as before) and take
`limit`/`offset`; the response says the total in `X-Total-Count` and where the neighbouring pages
are in a `Link` header (rel="next"/"prev"), as GitHub's API does. Pages of the site take `?page=`."""

from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

PAGE_SIZE = 50


class ListPages(LimitOffsetPagination):
    default_limit = PAGE_SIZE
    max_limit = 500


class PageQuery(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=ListPages.max_limit,
        required=False,
        help_text=f"Items per page (default {PAGE_SIZE})",
    )
    offset = serializers.IntegerField(min_value=0, required=False, help_text="Items to skip")


# limit/offset in; the total and the neighbouring pages out, as response headers of the 200.
PARAMETERS = [
    PageQuery,
    OpenApiParameter(
        "X-Total-Count", int, OpenApiParameter.HEADER, response=[200], description="Items in the whole list"
    ),
    OpenApiParameter(
        "Link", str, OpenApiParameter.HEADER, response=[200], description='rel="next" / rel="prev" page URLs'
    ),
]


def check_page_query(request) -> None:
    """limit and offset, when given, are each one whole number in range: else 400 saying so."""
    params = request.query_params
    repeated = [name for name in ("limit", "offset") if len(params.getlist(name)) > 1]
    if repeated:
        raise exceptions.ValidationError({name: ["Give it once."] for name in repeated})
    PageQuery(data={k: params[k] for k in ("limit", "offset") if k in params}).is_valid(raise_exception=True)


def paged_response(request, queryset, serialize) -> Response:
    """One page of `queryset` as a plain JSON array, `serialize(items)` giving the array."""
    check_page_query(request)
    pages = ListPages()
    items = pages.paginate_queryset(queryset, request)
    neighbours = (("next", pages.get_next_link()), ("prev", pages.get_previous_link()))
    links = [f'<{url}>; rel="{rel}"' for rel, url in neighbours if url]
    headers = {"X-Total-Count": str(pages.count)}
    if links:
        headers["Link"] = ", ".join(links)
    return Response(serialize(items), headers=headers)


def page_of(request, queryset, per_page: int = PAGE_SIZE):
    """The site's `?page=N` of a list (a bad or too large N gives the last page, as Django's
    Paginator.get_page does)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
