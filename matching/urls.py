from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("runs/", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/stop/", views.run_stop, name="run_stop"),
    path("runs/<int:pk>/resume/", views.run_resume, name="run_resume"),
    path("settings/", views.engine_settings, name="settings"),
    path("settings/fit/", views.weights_fit, name="weights_fit"),
    path("settings/proposals/<int:pk>/apply/", views.weights_proposal_apply, name="weights_apply"),
]
