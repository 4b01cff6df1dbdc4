from django.urls import path

from .views import campaigns, demands, imports

app_name = "demands"

urlpatterns = [
    path("", demands.demand_list, name="list"),
    path("export.<str:fmt>", demands.demand_export, name="export"),
    path("exports/<int:pk>/", demands.demand_export_status, name="export_status"),
    path("exports/<int:pk>/download/", demands.demand_export_download, name="export_download"),
    path("new/", demands.demand_create, name="create"),
    path("<int:pk>/", demands.demand_detail, name="detail"),
    path("<int:pk>/edit/", demands.demand_edit, name="edit"),
    path("<int:pk>/submit/", demands.demand_submit, name="submit"),
    path("<int:pk>/return/", demands.demand_transition, {"action": "return"}, name="return"),
    path("<int:pk>/publish/", demands.demand_transition, {"action": "publish"}, name="publish"),
    path("<int:pk>/withdraw/", demands.demand_transition, {"action": "withdraw"}, name="withdraw"),
    path("<int:pk>/close/", demands.demand_transition, {"action": "close"}, name="close"),
    path("<int:pk>/fulfil/", demands.demand_transition, {"action": "fulfil"}, name="fulfil"),
    path("attachments/<int:pk>/", demands.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", demands.attachment_delete, name="attachment_delete"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/invite/", campaigns.campaign_invite, name="campaign_invite"),
    path("campaigns/<int:pk>/export.<str:fmt>", campaigns.campaign_export, name="campaign_export"),
    path("import/", imports.demand_import, name="import"),
    path("import/confirm/", imports.demand_import_confirm, name="import_confirm"),
    path("import/template.<str:fmt>", imports.import_template, name="import_template"),
]
