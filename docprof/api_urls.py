from django.urls import include, path

from docprof.api_auth import ObtainTokenView

urlpatterns = [
    path("auth/token", ObtainTokenView.as_view(), name="api-token"),
    path("", include("library.api_urls")),
    path("", include("workers.api_urls")),
    path("", include("courses.api_urls")),
    path("", include("lectures.api_urls")),
    path("", include("qa.api_urls")),
]
