"""API shapes. Explicit fields only; writes go through offers.services; what a reader may see
of a demand or a match is asked of the permission module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from matching.reasons import render_reasons
from offers.forms import FORM_FIELDS
from offers.models import Offer
from offers.selectors import offer_reference_taken
from offers.services import MAX_FIELDS
from portal.models import CooperationType, Field, TechnologyReadinessLevel


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "format": "uri", "maxLength": 500},
            {"type": "string", "maxLength": 0},
        ],
    }
)
class OptionalURLField(serializers.URLField):
    """A link or an empty string. (anyOf, not drf-spectacular's oneOf: a validator that does
    not assert `format` finds "" valid under both branches and rejects it.)"""


class TextField(serializers.CharField):
    """A string, as the schema says: DRF's CharField takes 12 or 1.5 and stores "12"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class OfferSerializer(serializers.ModelSerializer):
    """A representative's own offer, read and written."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }

    fields = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Field.objects.filter(parent__isnull=False),
        help_text=gettext_noop('S&T field codes (OECD FOS 2007), 1 to 3, e.g. "2.02".'),
    )
    cooperation = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=CooperationType.objects.all(),
        help_text=gettext_noop(
            "Cooperation offered: license, technology_transfer, joint_venture, ..."
        ),
    )
    trl = serializers.PrimaryKeyRelatedField(
        queryset=TechnologyReadinessLevel.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_noop("Technology readiness level, 1 to 9."),
    )
    provider_country = CountryField(help_text=gettext_noop('ISO 3166-1 alpha-2 code, e.g. "JP".'))
    provider_website = OptionalURLField(required=False, allow_blank=True, max_length=200)
    source_url = OptionalURLField(required=False, allow_blank=True, max_length=500)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "url",
            "status",
            *FORM_FIELDS,  # what a representative writes: the same as the offer form
            "language",
            "published_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "url",
            "status",
            "language",
            "published_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]

    def get_url(self, offer: Offer) -> str:
        request = self.context.get("request")
        url = offer.get_absolute_url()
        return request.build_absolute_uri(url) if request else url

    def validate_fields(self, value):
        if len(value) > MAX_FIELDS:
            raise serializers.ValidationError("Choose at most three fields.")
        return value

    def validate(self, attrs):
        user = self.context["request"].user
        ref = attrs.get("external_ref", getattr(self.instance, "external_ref", ""))
        provider = attrs.get("provider_name", getattr(self.instance, "provider_name", ""))
        if offer_reference_taken(
            user.organization_id, provider, ref, exclude_pk=getattr(self.instance, "pk", None)
        ):
            raise serializers.ValidationError(
                {"external_ref": ["Another offer of this provider has this reference."]}
            )
        return attrs


class PublishSerializer(serializers.Serializer):
    confirm_similar = serializers.BooleanField(
        default=False,
        help_text=gettext_noop(
            "Publish even though offers with the same provider and a similar title exist."
        ),
    )


class ArchiveSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="", max_length=500)


class DemandSerializer(serializers.Serializer):
    """A published demand as the representative may see it: identity only when public."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    problem = serializers.CharField()
    expected_result = serializers.CharField()
    # The firm's own English version, when it gave one ("" otherwise).
    title_en = serializers.CharField()
    summary_en = serializers.CharField()
    province = serializers.CharField(source="province.name_vi")
    # method names avoid Serializer.get_fields(), which DRF itself calls
    fields = serializers.SerializerMethodField(method_name="field_codes")
    cooperation = serializers.SerializerMethodField(method_name="cooperation_codes")
    keywords = serializers.CharField()
    trl_min = serializers.IntegerField(source="trl_min_id", allow_null=True)
    language = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    anonymised = serializers.SerializerMethodField()
    organization_name = serializers.SerializerMethodField()
    contact_email = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def field_codes(self, demand) -> list[str]:
        return [f.code for f in demand.fields.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def cooperation_codes(self, demand) -> list[str]:
        return [c.code for c in demand.cooperation.all()]

    def _shows_identity(self, demand) -> bool:
        return permissions.can(self.context["request"].user, "demand.view_identity", demand)

    def get_anonymised(self, demand) -> bool:
        return not self._shows_identity(demand)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization_name(self, demand) -> str | None:
        return demand.organization.name if self._shows_identity(demand) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_contact_email(self, demand) -> str | None:
        return demand.organization.contact_email if self._shows_identity(demand) else None


class MatchSerializer(serializers.Serializer):
    """A proposed pairing of one of your offers with a demand (filled by the matching engine)."""

    id = serializers.IntegerField()
    offer = serializers.IntegerField(source="offer_id")
    demand = serializers.IntegerField(source="demand_id")
    score = serializers.FloatField()
    status = serializers.CharField()
    reasons = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField(
        help_text=gettext_noop("The enterprise's contact; null until both sides said interested.")
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, match) -> list[str]:
        return render_reasons(match.reasons)

    @extend_schema_field(serializers.DictField(child=serializers.CharField(), allow_null=True))
    def get_contact(self, match) -> dict | None:
        request = self.context.get("request")
        if (
            request is None
            or not match.both_consented
            or not permissions.can(request.user, "match.see_contacts", match)
        ):
            return None  # double opt-in: hidden until both sides are interested
        org = match.demand.organization
        return {
            "organization": org.name,
            "name": org.contact_name,
            "email": org.contact_email,
            "phone": org.contact_phone,
        }
