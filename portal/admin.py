from django.contrib import admin

from .models import CooperationType, Field, Province, TechnologyReadinessLevel


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "name_en", "kind", "merged_from"]
    list_filter = ["kind"]
    search_fields = ["name_vi", "name_en", "slug", "merged_from"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "parent"]
    list_filter = ["parent"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(TechnologyReadinessLevel)
class TechnologyReadinessLevelAdmin(admin.ModelAdmin):
    list_display = ["level", "name_vi", "name_en"]
    search_fields = ["name_vi", "name_en"]


@admin.register(CooperationType)
class CooperationTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "position"]
    search_fields = ["code", "name_vi", "name_en"]
