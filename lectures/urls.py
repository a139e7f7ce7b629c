from django.urls import path

from lectures import views

app_name = "lectures"
urlpatterns = [
    path("<int:pk>/", views.section_page, name="section"),
    path("<int:pk>/live/", views.live_fragment, name="live"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/quiz/", views.quiz, name="quiz"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:pk>/switch/", views.switch, name="switch"),
    path("lectures/<int:lecture_id>/passages/<int:chunk_id>/", views.passage, name="passage"),
]
