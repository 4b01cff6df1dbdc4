"""Demo organisations and logins. Idempotent: everything is keyed and upserted."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Organization, User
from portal.models import Province

Kind = Organization.Kind


@dataclass
class DemoContext:
    """What later seeders (demands, offers, matching) build on."""

    password: str
    organizations: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


ORGANIZATIONS = [
    # key, kind, name, province slug, country, tax code, industry
    (
        "dost-thainguyen",
        Kind.PROVINCIAL_DEPARTMENT,
        "Sở Khoa học và Công nghệ tỉnh Thái Nguyên",
        "thai-nguyen",
        "",
        "",
        "",
    ),
    (
        "dost-bacninh",
        Kind.PROVINCIAL_DEPARTMENT,
        "Sở Khoa học và Công nghệ tỉnh Bắc Ninh",
        "bac-ninh",
        "",
        "",
        "",
    ),
    ("national", Kind.NATIONAL_UNIT, "Cục Ứng dụng và Phát triển công nghệ", "ha-noi", "", "", ""),
    (
        "tea",
        Kind.ENTERPRISE,
        "Công ty Cổ phần Chè Tân Cương Hoàng Bình",
        "thai-nguyen",
        "",
        "4600100001",
        "Trồng và chế biến chè",
    ),
    (
        "electronics",
        Kind.ENTERPRISE,
        "Công ty TNHH Linh kiện Điện tử Phổ Yên",
        "thai-nguyen",
        "",
        "4600100002",
        "Linh kiện điện tử, mạch in PCB",
    ),
    (
        "tungsten",
        Kind.ENTERPRISE,
        "Công ty Cổ phần Vonfram và Kim loại Đại Từ",
        "thai-nguyen",
        "",
        "4600100003",
        "Khai thác và chế biến vonfram, luyện kim",
    ),
    (
        "pharma",
        Kind.ENTERPRISE,
        "Công ty Cổ phần Dược liệu và Thực phẩm chức năng Thái Nguyên",
        "thai-nguyen",
        "",
        "4600100004",
        "Dược liệu, thực phẩm chức năng",
    ),
    (
        "bacninh-firm",
        Kind.ENTERPRISE,
        "Công ty TNHH Khuôn mẫu Chính xác Bắc Ninh",
        "bac-ninh",
        "",
        "2300100005",
        "Khuôn mẫu chính xác, robot công nghiệp",
    ),
    ("rep-japan", Kind.REPRESENTATION, "Đại diện KH&CN Việt Nam tại Nhật Bản", None, "JP", "", ""),
    ("rep-korea", Kind.REPRESENTATION, "Đại diện KH&CN Việt Nam tại Hàn Quốc", None, "KR", "", ""),
    ("rep-germany", Kind.REPRESENTATION, "Đại diện KH&CN Việt Nam tại Đức", None, "DE", "", ""),
    ("rep-france", Kind.REPRESENTATION, "Đại diện KH&CN Việt Nam tại Pháp", None, "FR", "", ""),
    ("rep-usa", Kind.REPRESENTATION, "Đại diện KH&CN Việt Nam tại Hoa Kỳ", None, "US", "", ""),
]

USERS = [
    # email, full name, organisation key (None: the superuser)
    ("admin@demo.local", "Quản trị hệ thống", None),
    ("coordinator@demo.local", "Nguyễn Thị Điều Phối", "national"),
    ("staff.thainguyen@demo.local", "Trần Văn Thái", "dost-thainguyen"),
    ("staff.bacninh@demo.local", "Lê Thị Bắc", "dost-bacninh"),
    ("enterprise.tea@demo.local", "Hoàng Thị Chè", "tea"),
    ("enterprise.electronics@demo.local", "Phạm Văn Điện", "electronics"),
    ("enterprise.tungsten@demo.local", "Đỗ Văn Kim", "tungsten"),
    ("enterprise.pharma@demo.local", "Vũ Thị Dược", "pharma"),
    ("enterprise.bacninh@demo.local", "Ngô Văn Khuôn", "bacninh-firm"),
    ("rep.japan@demo.local", "Đặng Minh Nhật", "rep-japan"),
    ("rep.korea@demo.local", "Bùi Thị Hàn", "rep-korea"),
    ("rep.germany@demo.local", "Lý Văn Đức", "rep-germany"),
    ("rep.france@demo.local", "Trịnh Thị Pháp", "rep-france"),
    ("rep.usa@demo.local", "Mai Văn Mỹ", "rep-usa"),
]


# Representatives read English in their host country's time; everyone else Vietnamese, in
# Vietnam's time (an empty zone).
REPRESENTATIVE_ZONES = {
    "rep-japan": "Asia/Tokyo",
    "rep-korea": "Asia/Seoul",
    "rep-germany": "Europe/Berlin",
    "rep-france": "Europe/Paris",
    "rep-usa": "America/New_York",
}


def seed_organizations(context: DemoContext) -> None:
    provinces = {p.slug: p for p in Province.objects.all()}
    for key, kind, name, province, country, tax_code, industry in ORGANIZATIONS:
        organization, _created = Organization.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "province": provinces.get(province),
                "country": country,
                "tax_code": tax_code,
                "main_industry": industry,
                "status": Organization.Status.ACTIVE,
                "contact_email": f"contact.{key}@demo.local",
                "contact_phone": "+84 208 3850 000",
                "address": provinces[province].name_vi if province else "",
                "size": Organization.Size.SMALL if kind == Kind.ENTERPRISE else "",
            },
        )
        context.organizations[key] = organization


def seed_users(context: DemoContext) -> None:
    for email, full_name, org_key in USERS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.full_name = full_name
        user.organization = context.organizations.get(org_key)
        user.is_active = True
        user.is_staff = user.is_superuser = org_key is None
        user.language = "en" if org_key in REPRESENTATIVE_ZONES else "vi"
        user.time_zone = REPRESENTATIVE_ZONES.get(org_key, "")
        user.set_password(context.password)
        user.save()
        context.users[email] = user
