from django.urls import path

from . import views

app_name = "offers"

urlpatterns = [
    path("", views.offer_catalog, name="catalog"),
    path("mine/", views.offer_mine, name="mine"),
    path("new/", views.offer_create, name="create"),
    path("import/", views.offer_import, name="import"),
    path("import/template.<str:fmt>", views.offer_import_template, name="import_template"),
    path("api-token/", views.api_token, name="api_token"),
    path("<int:pk>/", views.offer_detail, name="detail"),
    path("<int:pk>/edit/", views.offer_edit, name="edit"),
    path("<int:pk>/publish/", views.offer_publish, name="publish"),
    path("<int:pk>/archive/", views.offer_archive, name="archive"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.offer_attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.offer_detach, name="detach"),
]
