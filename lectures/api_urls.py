from django.urls import path

from lectures import api, api_curation, api_usage, book_views

urlpatterns = [
    path("sections/<int:pk>/lecture", api.SectionLectureAPI.as_view(), name="api-section-lecture"),
    path("sections/<int:pk>/complete", api.SectionCompleteAPI.as_view(), name="api-section-complete"),
    path("lectures/<int:pk>", api.LectureAPI.as_view(), name="api-lecture"),
    path("lectures/<int:pk>/quiz", api.LectureQuizAPI.as_view(), name="api-lecture-quiz"),
    path("courses/<int:pk>/progress", api.CourseProgressAPI.as_view(), name="api-course-progress"),
    path(
        "sections/<int:pk>/lecture/regenerate",
        api_curation.RegenerateAPI.as_view(),
        name="api-lecture-regenerate",
    ),
    path("sections/<int:pk>/lecture/switch", api_curation.SwitchAPI.as_view(), name="api-lecture-switch"),
    path("lectures/<int:pk>/vote", api_curation.VoteAPI.as_view(), name="api-lecture-vote"),
    path("lectures/<int:pk>/review", api_curation.ReviewAPI.as_view(), name="api-lecture-review"),
    path("books/<int:pk>/file", book_views.BookFileAPI.as_view(), name="api-book-file"),
    path("admin/usage", api_usage.UsageAPI.as_view(), name="api-admin-usage"),
]
