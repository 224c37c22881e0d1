from __future__ import annotations

from django.contrib import admin

from zoneops.enterprises.models import Enterprise, EnterpriseContact, IndustryClass, Park


@admin.register(IndustryClass)
class IndustryClassAdmin(admin.ModelAdmin[IndustryClass]):
    list_display = ["code", "level", "name_zh", "name_en", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin[Park]):
    list_display = ["name", "code", "zone"]
    list_filter = ["zone"]


class ContactInline(admin.TabularInline[EnterpriseContact, Enterprise]):
    model = EnterpriseContact
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin[Enterprise]):
    list_display = ["name", "uscc", "industry", "above_scale", "fortune_global_500", "zone", "is_synthetic"]
    list_filter = [
        "zone",
        "above_scale",
        "fortune_global_500",
        "high_tech",
        "listed",
        "ownership",
        "is_synthetic",
    ]
    search_fields = ["name", "name_en", "short_name", "uscc"]
    raw_id_fields = ["industry"]
    inlines = [ContactInline]


@admin.register(EnterpriseContact)
class EnterpriseContactAdmin(admin.ModelAdmin[EnterpriseContact]):
    list_display = ["name", "enterprise", "title", "phone", "email", "is_primary"]
    search_fields = ["name", "enterprise__name", "email"]
    raw_id_fields = ["enterprise"]
