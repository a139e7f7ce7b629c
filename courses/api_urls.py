from django.urls import path

from courses import api

urlpatterns = [
    path("courses", api.CourseListAPI.as_view(), name="api-courses"),
    path("courses/<int:pk>", api.CourseDetailAPI.as_view(), name="api-course"),
    path("courses/<int:pk>/status", api.CourseStatusAPI.as_view(), name="api-course-status"),
    path("courses/<int:pk>/resume", api.CourseResumeAPI.as_view(), name="api-course-resume"),
    path("courses/<int:pk>/cancel", api.CourseCancelAPI.as_view(), name="api-course-cancel"),
]
