from django.urls import path

from library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("search/", views.search, name="search"),
    path("books/<int:pk>/", views.book_detail, name="book"),
    path("books/<int:pk>/status/", views.book_status, name="book_status"),
    path("books/<int:pk>/row/", views.book_row, name="book_row"),
    path("books/<int:pk>/delete/", views.delete, name="delete"),
]
