"""Sharing a book: the buttons are on the library's book page (/library/books/{id}/), but unsharing
unpublishes the published courses that use the book, so the views belong to courses (the import
ladder: courses may know the library, not the other way round). Mounted under /library/."""

from django.urls import path

from courses import views

app_name = "book_sharing"
urlpatterns = [
    path("books/<int:pk>/share/", views.book_sharing, {"shared": True}, name="share"),
    path("books/<int:pk>/unshare/", views.book_sharing, {"shared": False}, name="unshare"),
]
