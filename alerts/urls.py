from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.saved_search_list, name="list"),
    path("new/", views.saved_search_create, name="create"),
    path("follow-field/", views.field_follow, name="follow_field"),
    path("<int:pk>/", views.saved_search_detail, name="detail"),
    path("<int:pk>/delete/", views.saved_search_delete, name="delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
