"""A new version of a book: the form is on the library's book page; mounted under /library/."""

from django.urls import path

from lectures import book_views

app_name = "book_versions"
urlpatterns = [path("books/<int:pk>/new-version/", book_views.upload_new_version, name="upload")]
