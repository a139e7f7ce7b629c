from django.urls import path

from qa import views

app_name = "qa"
urlpatterns = [
    path("sections/<int:pk>/ask/", views.ask, name="ask"),
    path("messages/<int:pk>/", views.message, name="message"),
]
