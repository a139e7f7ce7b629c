"""Error pages: JSON under /api/ (what an API client parses), Django's usual pages everywhere else.

Django answers an unreadable request body, a PermissionDenied outside DRF and an unhandled exception
with these handlers (when DEBUG is off); a URL under /api/ that does not resolve (e.g.
`/api/books/abc`) reaches `api_not_found`, the last URL pattern, whatever DEBUG says.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception=None):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
        return JsonResponse({"detail": f"The form data is larger than {limit} MB."}, status=413)
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return JsonResponse({"detail": f"Send at most {limit} files in one request."}, status=400)
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return JsonResponse({"detail": f"Send at most {limit} form fields in one request."}, status=400)
    return JsonResponse({"detail": "The request could not be read; check its body and headers."}, status=400)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _api_not_found(request)
    return defaults.page_not_found(request, exception)


@csrf_exempt  # it changes nothing; a POST to a wrong address is a 404, not a CSRF failure
def api_not_found(request):
    """The last URL pattern under /api/: JSON 404 even with DEBUG on (whose 404 page is HTML).

    `/api/schema` still goes to `/api/schema/`, as APPEND_SLASH would have sent it."""
    with_slash = request.path_info + "/"
    match = resolve(with_slash) if not request.path_info.endswith("/") else None
    if match is not None and match.func is not api_not_found:
        return HttpResponsePermanentRedirect(with_slash)
    return _api_not_found(request)


def _api_not_found(request):
    return JsonResponse(
        {"detail": f"Not found: {request.path_info} is not an API address (ids are whole numbers)."},
        status=404,
    )


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)
    return defaults.server_error(request)
