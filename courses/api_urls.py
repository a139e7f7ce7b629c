from django.urls import path

from courses import api

urlpatterns = [
    path("courses", api.CourseListAPI.as_view(), name="api-courses"),
    path("courses/<int:pk>", api.CourseDetailAPI.as_view(), name="api-course"),
    path("courses/<int:pk>/status", api.CourseStatusAPI.as_view(), name="api-course-status"),
    path("courses/<int:pk>/resume", api.CourseResumeAPI.as_view(), name="api-course-resume"),
    path("courses/<int:pk>/cancel", api.CourseCancelAPI.as_view(), name="api-course-cancel"),
    path("courses/<int:pk>/publish", api.CoursePublishAPI.as_view(), name="api-course-publish"),
    path("courses/<int:pk>/unpublish", api.CourseUnpublishAPI.as_view(), name="api-course-unpublish"),
    path("courses/<int:pk>/enrol", api.CourseEnrolAPI.as_view(), name="api-course-enrol"),
    path("books/<int:pk>/share", api.BookShareAPI.as_view(), name="api-book-share"),
    path("books/<int:pk>/unshare", api.BookUnshareAPI.as_view(), name="api-book-unshare"),
]
