from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/register/", views.session_register, name="register"),
    path("<int:pk>/meetings/", views.session_meetings, name="meetings"),
    path("<int:pk>/meetings/ask/", views.meeting_ask, name="ask"),
    path("<int:pk>/meetings/add/", views.meeting_add, name="add"),
    path("<int:pk>/schedule/", views.session_schedule, name="schedule"),
    path("<int:pk>/agenda/", views.session_agenda, name="agenda"),
    path("<int:pk>/agenda.ics", views.session_agenda_ics, name="agenda_ics"),
    path("<int:pk>/report/", views.session_report, name="report"),
    path("<int:pk>/report.xlsx", views.session_report_xlsx, name="report_xlsx"),
    path("meeting/<int:pk>/answer/", views.meeting_answer, name="answer"),
    path("meeting/<int:pk>/drop/", views.meeting_drop, name="drop"),
    path("meeting/<int:pk>/move/", views.meeting_move, name="move"),
    path("meeting/<int:pk>/check-in/", views.meeting_check_in, name="check_in"),
    path("meeting/<int:pk>/outcome/", views.meeting_outcome, name="outcome"),
]
