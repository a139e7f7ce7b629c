from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from docprof.errors import api_not_found
from docprof.health import healthz

handler400 = "docprof.errors.bad_request"
handler403 = "docprof.errors.permission_denied"
handler404 = "docprof.errors.page_not_found"
handler500 = "docprof.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="library:index", permanent=False), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("library/", include("courses.book_urls")),  # share / stop sharing a book (unpublishes courses)
    path("library/", include("lectures.book_urls")),  # a new version of a book (flags stale lectures)
    path("library/", include("library.urls")),
    path("courses/", include("courses.urls")),
    path("sections/", include("lectures.urls")),
    path("qa/", include("qa.urls")),
    path("api/", include("docprof.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),  # keep last: JSON 404 for anything else under /api/
]
