app_name = "workers"
urlpatterns = []
