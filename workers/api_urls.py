from django.urls import path

from workers.api import JobDetailAPI

urlpatterns = [path("jobs/<int:pk>", JobDetailAPI.as_view(), name="api-job")]
