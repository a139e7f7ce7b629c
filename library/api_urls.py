from django.urls import path

from library import api

urlpatterns = [
    path("books", api.BookListAPI.as_view(), name="api-books"),
    path("books/<int:pk>", api.BookDetailAPI.as_view(), name="api-book"),
    path("books/<int:pk>/chapters", api.BookChaptersAPI.as_view(), name="api-book-chapters"),
    path("search", api.SearchAPI.as_view(), name="api-search"),
]
