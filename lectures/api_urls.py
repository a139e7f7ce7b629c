from django.urls import path

from lectures import api

urlpatterns = [
    path("sections/<int:pk>/lecture", api.SectionLectureAPI.as_view(), name="api-section-lecture"),
    path("sections/<int:pk>/complete", api.SectionCompleteAPI.as_view(), name="api-section-complete"),
    path("lectures/<int:pk>", api.LectureAPI.as_view(), name="api-lecture"),
    path("lectures/<int:pk>/quiz", api.LectureQuizAPI.as_view(), name="api-lecture-quiz"),
    path("courses/<int:pk>/progress", api.CourseProgressAPI.as_view(), name="api-course-progress"),
]
