"""Review queue, introductions with consent and the connection pipeline, under /matching/
(the paths the notifications already sent point to)."""

from django.urls import path

from . import thread_views, views

app_name = "connections"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/undo/", views.review_undo, name="undo"),
    path("review/demands/", views.review_demands, name="review_demands"),
    path("board/", views.board, name="board"),
    path("introductions/", views.introductions, name="introductions"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.match_act, name="act"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/meetings/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/meetings/<int:meeting_pk>/", views.meeting_update, name="meeting_update"),
    path("<int:pk>/negotiate/", views.negotiate, name="negotiate"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path(
        "<int:pk>/agreement/registration/",
        views.agreement_registration,
        name="agreement_registration",
    ),
    path("<int:pk>/drop/", views.drop, name="drop"),
    # The thread on a match (connections/thread_views.py).
    path("<int:pk>/thread/", thread_views.thread, name="thread"),
    path("<int:pk>/thread/<int:message_pk>/hide/", thread_views.message_hide, name="message_hide"),
    path(
        "<int:pk>/thread/files/<int:attachment_pk>/",
        thread_views.attachment_download,
        name="message_file",
    ),
    path("<int:pk>/thread/contacts/", thread_views.contact_add, name="contact_add"),
    path(
        "<int:pk>/thread/contacts/<int:contact_pk>/remove/",
        thread_views.contact_remove,
        name="contact_remove",
    ),
    path("thread/<str:token>/", thread_views.contact_thread, name="contact_thread"),
    path(
        "thread/<str:token>/files/<int:attachment_pk>/",
        thread_views.contact_attachment,
        name="contact_file",
    ),
]
