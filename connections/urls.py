"""Review queue, introductions with consent and the connection pipeline, under /matching/
(the paths the notifications already sent point to)."""

from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
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
    path("<int:pk>/drop/", views.drop, name="drop"),
]
