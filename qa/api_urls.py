from django.urls import path

from qa import api

urlpatterns = [
    path("sections/<int:pk>/questions", api.QuestionAPI.as_view(), name="api-section-questions"),
    path(
        "sections/<int:pk>/questions/stream",
        api.QuestionStreamAPI.as_view(),
        name="api-section-questions-stream",
    ),
    path("qa/sessions/<int:pk>", api.SessionAPI.as_view(), name="api-qa-session"),
    path("qa/sessions/<int:pk>/close", api.SessionCloseAPI.as_view(), name="api-qa-session-close"),
]
