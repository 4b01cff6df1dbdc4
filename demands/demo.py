"""Demo demands of the demo enterprises, in several states; a Thái Nguyên survey campaign.

Idempotent: a demand is keyed by (enterprise, title) and a campaign by (province, name);
existing rows are left as they are, so running seed_demo twice creates nothing new.
Rows are written directly (not through the services) so seeding neither checks
permissions nor queues matching; the matching seeder runs after this one.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from portal.text import detect_language, normalize_text, search_blob

from .models import CampaignInvitation, Demand, DemandEvent, SurveyCampaign

S = Demand.Status
PATHS = {
    S.DRAFT: [S.DRAFT],
    S.SUBMITTED: [S.DRAFT, S.SUBMITTED],
    S.RETURNED: [S.DRAFT, S.SUBMITTED, S.RETURNED],
    S.PUBLISHED: [S.DRAFT, S.SUBMITTED, S.PUBLISHED],
    S.IN_CONNECTION: [S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.IN_CONNECTION],
    S.FULFILLED: [S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.IN_CONNECTION, S.FULFILLED],
    S.WITHDRAWN: [S.DRAFT, S.SUBMITTED, S.WITHDRAWN],
}
M = 1_000_000

# org key, status, visibility, in campaign, title, problem, current, expected, fields,
# cooperation, TRL, budget (min, max) in VND, months until wanted, preferred countries, keywords,
# answers: the demo offers (offers/demo_data.json refs) that genuinely answer the demand, in
# several languages. Once the demand is matched they must be in its top 5
# (tests/matching/test_demo_ranking.py); the other offers of the same fields are distractors.
DEMANDS = [
    (
        "tea",
        S.PUBLISHED,
        "anonymised",
        True,
        "Cơ giới hóa khâu làm héo, diệt men và vò chè xanh",
        "Các khâu làm héo, diệt men và vò chè của công ty vẫn làm thủ công hoặc bằng máy cũ, năng suất thấp, chất lượng không đồng đều giữa các mẻ; khách hàng EU trả lại khoảng 15% lô hàng vì màu nước và độ vụn.",
        "Hai tôn quay diệt men đốt củi (2015), vò chè bằng máy vò đơn, 25 công nhân mỗi ca.",
        "Dây chuyền liên tục công suất 2 tấn chè búp tươi/ngày; kiểm soát nhiệt độ diệt men ±5 °C; tỷ lệ vụn dưới 5%; kèm đào tạo vận hành.",
        ["2.11", "4.01"],
        ["equipment_purchase", "training"],
        8,
        (1500 * M, 3000 * M),
        10,
        ["JP", "TW"],
        "chè xanh, làm héo, diệt men, vò chè",
        ["DEMO-A01", "DEMO-A02", "DEMO-A03"],
    ),
    (
        "tea",
        S.SUBMITTED,
        "public",
        True,
        "Phân loại màu chè xanh thành phẩm để xuất khẩu sang EU",
        "Chè thành phẩm còn lẫn cẫng, chè vàng và tạp chất; phân loại bằng tay tốn nhiều nhân công và không đạt yêu cầu đồng đều của nhà nhập khẩu châu Âu.",
        "Sàng rung và nhặt tay, 12 công nhân.",
        "Máy tách màu quang học cho chè, công suất 300-500 kg/giờ, loại bỏ trên 98% cẫng và tạp chất.",
        ["2.03", "2.11"],
        ["equipment_purchase"],
        9,
        (800 * M, 1500 * M),
        8,
        [],
        "máy tách màu, chè xuất khẩu",
        ["DEMO-JA1"],
    ),
    (
        "tea",
        S.RETURNED,
        "anonymised",
        True,
        "Phòng trừ rầy xanh hại chè không dùng thuốc hóa học",
        "Rầy xanh gây hại nặng vào mùa hè, ảnh hưởng năng suất.",
        "Phun thuốc hóa học theo lịch.",
        "",
        ["4.01"],
        ["training", "technical_cooperation"],
        7,
        (None, None),
        12,
        [],
        "rầy xanh, VietGAP",
        [],
    ),
    (
        "tea",
        S.DRAFT,
        "anonymised",
        False,
        "Kiểm tra nhanh dư lượng thuốc bảo vệ thực vật trong chè trước khi xuất khẩu",
        "Mỗi lô chè xuất khẩu phải gửi mẫu đi Hà Nội kiểm nghiệm, mất 5-7 ngày.",
        "",
        "",
        ["2.11", "4.01"],
        ["equipment_purchase", "training"],
        8,
        (None, 500 * M),
        9,
        [],
        "dư lượng, kiểm nghiệm nhanh",
        [],
    ),
    (
        "tea",
        S.FULFILLED,
        "public",
        False,
        "Dây chuyền đóng gói chè túi lọc và đóng gói chân không tự động",
        "Sản phẩm chè túi lọc đóng gói bán thủ công, năng suất thấp và bao bì không kín, chè nhanh mất hương.",
        "Máy hàn miệng túi thủ công.",
        "Máy đóng gói túi lọc 2 lớp có dây và tem, 60-80 túi/phút; máy hút chân không cho túi 100-500 g.",
        ["2.03", "2.11"],
        ["equipment_purchase"],
        9,
        (600 * M, 1200 * M),
        6,
        ["KR"],
        "đóng gói, chè túi lọc",
        [],
    ),
    (
        "electronics",
        S.PUBLISHED,
        "anonymised",
        True,
        "Tái sinh dung dịch ăn mòn đồng và thu hồi đồng tại xưởng sản xuất mạch in",
        "Xưởng mạch in thải mỗi tháng khoảng 40 m³ dung dịch ăn mòn đồng đã bão hòa; chi phí thuê xử lý cao và lãng phí đồng.",
        "Dung dịch ăn mòn gốc amoniac, thuê đơn vị ngoài thu gom xử lý.",
        "Hệ thống tái sinh dung dịch ăn mòn tại chỗ kết hợp điện phân thu hồi đồng kim loại độ tinh khiết trên 99%; giảm 80% lượng thải.",
        ["2.07", "2.02"],
        ["equipment_purchase", "technology_transfer"],
        8,
        (2000 * M, 5000 * M),
        12,
        ["JP", "DE"],
        "PCB, ăn mòn đồng, thu hồi đồng",
        ["DEMO-A05", "DEMO-O067", "DEMO-O027", "DEMO-KO4"],
    ),
    (
        "electronics",
        S.IN_CONNECTION,
        "public",
        True,
        "Giám sát dữ liệu sản xuất thời gian thực cho nhà máy linh kiện điện tử",
        "Số liệu sản lượng, lỗi và dừng máy được ghi tay cuối ca nên không phát hiện kịp sự cố; hiệu suất thiết bị tổng thể (OEE) chưa đo được.",
        "Khoảng 40 máy SMT và máy ép nhựa của nhiều hãng, chưa kết nối mạng.",
        "Hệ thống MES/IoT thu thập dữ liệu từ máy, bảng điều khiển OEE theo thời gian thực, cảnh báo dừng máy; tích hợp ERP hiện có.",
        ["1.02"],
        ["equipment_purchase", "consulting"],
        9,
        (1000 * M, 2500 * M),
        9,
        [],
        "MES, IoT, OEE",
        ["DEMO-O044", "DEMO-A06", "DEMO-A07"],
    ),
    (
        "electronics",
        S.SUBMITTED,
        "anonymised",
        True,
        "Automated optical inspection for small-batch PCB assembly",
        "Our SMT lines run many small batches; manual visual inspection misses solder bridges and tombstoning, and rework costs about 3% of output.",
        "Two SMT lines with manual inspection under magnifiers.",
        "Inline 3D AOI for boards up to 400 x 300 mm, false-call rate under 1%, quick program change for new batches; training for 4 engineers.",
        ["2.02"],
        ["equipment_purchase", "training"],
        9,
        (1500 * M, 3500 * M),
        7,
        ["JP", "KR", "DE"],
        "AOI, SMT, PCB inspection",
        [],
    ),
    (
        "electronics",
        S.WITHDRAWN,
        "anonymised",
        False,
        "Đo đếm và giám sát điện năng theo từng máy để tiết kiệm năng lượng",
        "Hóa đơn điện tăng mạnh nhưng không biết máy nào tiêu thụ nhiều.",
        "Một công tơ tổng.",
        "Công tơ thông minh cho từng máy, phần mềm phân tích tiêu thụ.",
        ["2.02", "1.02"],
        ["equipment_purchase", "consulting"],
        8,
        (200 * M, 500 * M),
        6,
        [],
        "điện năng, tiết kiệm năng lượng",
        [],
    ),
    (
        "tungsten",
        S.PUBLISHED,
        "confidential",
        True,
        "Tái chế phế liệu hợp kim cứng (WC-Co) từ dụng cụ cắt đã qua sử dụng",
        "Công ty thu gom được khoảng 30 tấn phế liệu mảnh dao và mũi khoan hợp kim cứng mỗi năm nhưng chỉ bán phế liệu với giá thấp.",
        "Chưa có công nghệ tái chế; phế liệu bán cho thương lái.",
        "Công nghệ tái chế kẽm hóa hoặc oxy hóa - khử để thu hồi bột WC và coban đạt chất lượng làm lại dụng cụ; công suất 30-50 tấn/năm.",
        ["2.05"],
        ["technology_transfer", "joint_venture"],
        8,
        (10000 * M, 30000 * M),
        18,
        ["DE", "AT"],
        "WC-Co, hợp kim cứng, tái chế",
        ["DEMO-O109", "DEMO-A08", "DEMO-A09"],
    ),
    (
        "tungsten",
        S.SUBMITTED,
        "anonymised",
        True,
        "Reducing evaporation energy and improving purity in APT production",
        "The evaporation-crystallisation step of our ammonium paratungstate (APT) line uses a large share of the plant's steam, and molybdenum impurity varies between batches.",
        "Batch evaporators heated with coal-fired steam; ion exchange for purification.",
        "Mechanical vapour recompression or multi-effect evaporation cutting steam use by 40%; APT purity 99.95% with Mo under 20 ppm.",
        ["2.04", "2.05"],
        ["license", "technology_transfer"],
        7,
        (20000 * M, 60000 * M),
        24,
        ["DE", "AT", "JP"],
        "APT, tungsten, evaporation",
        ["DEMO-O072", "DEMO-O110"],
    ),
    (
        "tungsten",
        S.DRAFT,
        "anonymised",
        False,
        "Thu hồi nhiệt thải lò nung để sản xuất hơi",
        "",
        "",
        "",
        [],
        [],
        None,
        (None, None),
        12,
        [],
        "",
        [],
    ),
    (
        "tungsten",
        S.PUBLISHED,
        "public",
        False,
        "Kiểm soát bụi phát tán khi bốc xếp và vận chuyển quặng tinh",
        "Bụi phát sinh khi bốc xếp quặng tinh tại kho bãi ảnh hưởng đến công nhân và khu dân cư lân cận; địa phương đã nhắc nhở nhiều lần.",
        "Phun nước thủ công bằng vòi.",
        "Hệ thống phun sương dập bụi tự động hoặc bao che kho; nồng độ bụi tại ranh giới dưới 0,3 mg/m³ (QCVN 05:2023).",
        ["2.07"],
        ["equipment_purchase", "consulting"],
        8,
        (500 * M, 1500 * M),
        6,
        [],
        "dập bụi, phun sương",
        ["DEMO-O069", "DEMO-A10", "DEMO-A11"],
    ),
    (
        "pharma",
        S.PUBLISHED,
        "anonymised",
        True,
        "Sấy dược liệu (khúng khéng, an thần) giữ màu và hoạt chất",
        "Dược liệu sấy bằng lò than bị sẫm màu, mất hoạt chất và không ổn định độ ẩm; sản phẩm khó đạt tiêu chuẩn GACP-WHO.",
        "Lò sấy than thủ công, sấy 20-30 giờ mỗi mẻ.",
        "Máy sấy bơm nhiệt hoặc sấy lạnh công suất 500 kg tươi/mẻ, nhiệt độ 35-50 °C điều khiển được, giữ trên 90% hoạt chất.",
        ["2.11", "2.03"],
        ["equipment_purchase", "training"],
        8,
        (700 * M, 1500 * M),
        8,
        [],
        "sấy bơm nhiệt, dược liệu",
        ["DEMO-A13", "DEMO-A14", "DEMO-A15"],
    ),
    (
        "pharma",
        S.SUBMITTED,
        "anonymised",
        True,
        "Chiết xuất cao dược liệu bằng CO₂ siêu tới hạn",
        "Công ty muốn nâng giá trị dược liệu bằng sản phẩm cao chiết chuẩn hóa thay vì bán nguyên liệu khô; phương pháp chiết dung môi hiện tại để lại tồn dư.",
        "Nồi chiết ethanol 500 lít.",
        "Thiết bị chiết CO₂ siêu tới hạn quy mô pilot 50-100 lít, chuyển giao quy trình cho 2 dược liệu chủ lực, đạt GMP.",
        ["3.01", "2.04"],
        ["technology_transfer", "equipment_purchase", "training"],
        7,
        (5000 * M, 12000 * M),
        15,
        ["KR", "DE"],
        "CO2 siêu tới hạn, chiết xuất",
        [],
    ),
    (
        "pharma",
        S.RETURNED,
        "public",
        False,
        "Functional food from local medicinal herbs: formulation and shelf-life",
        "We want to turn our herbal extracts into capsules and instant drinks but lack formulation know-how and stability data.",
        "Small extraction workshop; products sold as dried herbs.",
        "Two formulations with 18-month shelf-life data and a technology transfer package.",
        ["3.01"],
        ["technology_transfer", "consulting"],
        6,
        (None, None),
        12,
        [],
        "functional food, formulation",
        ["DEMO-KO3"],
    ),
    (
        "bacninh-firm",
        S.PUBLISHED,
        "anonymised",
        False,
        "Bảo trì dự đoán cho máy CNC và phát hiện lỗi sản xuất khuôn",
        "Máy CNC gia công khuôn hỏng đột xuất gây chậm đơn hàng; lỗi kích thước chỉ được phát hiện khi đo cuối cùng.",
        "12 máy CNC 3-5 trục của Nhật và Đài Loan, bảo trì theo lịch.",
        "Hệ thống cảm biến rung, nhiệt và phân tích dữ liệu dự báo hỏng hóc trước 1-2 tuần; đo kiểm trong máy.",
        ["1.02", "2.03"],
        ["equipment_purchase", "technical_cooperation"],
        8,
        (1000 * M, 3000 * M),
        10,
        ["KR", "JP"],
        "CNC, bảo trì dự đoán",
        ["DEMO-A17", "DEMO-A18", "DEMO-A19"],
    ),
    (
        "bacninh-firm",
        S.SUBMITTED,
        "anonymised",
        False,
        "Robot gắp sản phẩm cho máy ép nhựa",
        "Công nhân gắp sản phẩm thủ công tại 20 máy ép nhựa, năng suất và an toàn thấp.",
        "Máy ép 80-350 tấn, gắp tay.",
        "Robot gắp kiểu Cartesian hoặc 6 trục tích hợp với máy ép, chu kỳ dưới 8 giây; đào tạo lập trình.",
        ["2.03"],
        ["equipment_purchase", "training"],
        9,
        (1500 * M, 4000 * M),
        8,
        ["JP"],
        "robot, máy ép nhựa",
        ["DEMO-A20"],
    ),
    (
        "bacninh-firm",
        S.DRAFT,
        "anonymised",
        False,
        "Xử lý nước thải xi mạ chứa đồng, crôm, niken",
        "Nước thải xi mạ chưa đạt QCVN 40:2011 về kim loại nặng.",
        "Bể lắng hóa học đơn giản.",
        "Hệ thống xử lý đạt cột B QCVN 40:2011, thu hồi kim loại.",
        ["2.07"],
        ["equipment_purchase", "consulting"],
        7,
        (None, None),
        9,
        [],
        "xi mạ, kim loại nặng",
        [],
    ),
    (
        "electronics",
        S.PUBLISHED,
        "anonymised",
        False,
        "Xử lý nước thải nhỏ gọn cho nhà máy linh kiện",
        "Nhà máy mở rộng thêm 300 công nhân, hệ thống xử lý nước thải sinh hoạt hiện tại quá tải.",
        "Bể tự hoại và bể lắng.",
        "Thiết bị xử lý hợp khối dạng mô-đun (kiểu Johkasou) 50 m³/ngày, nước sau xử lý đạt QCVN 14:2008 cột A.",
        ["2.07"],
        ["equipment_purchase", "technical_cooperation"],
        8,
        (800 * M, 1800 * M),
        9,
        ["JP"],
        "nước thải, Johkasou",
        ["DEMO-A22", "DEMO-O031", "DEMO-A21", "DEMO-O034"],
    ),
]

ANSWERS = {normalize_text(row[4]): row[-1] for row in DEMANDS}  # demand title -> offer refs

RETURN_NOTE = (
    "Đề nghị bổ sung kết quả mong muốn với thông số cụ thể (diện tích, mức giảm "
    "mật độ rầy) và dự kiến kinh phí."
)


def _campaign(context) -> SurveyCampaign | None:
    department = context.organizations.get("dost-thainguyen")
    if department is None:
        return None
    year = timezone.localdate().year
    campaign, _created = SurveyCampaign.objects.get_or_create(
        province_id=department.province_id,
        name=f"Khảo sát nhu cầu công nghệ doanh nghiệp tỉnh Thái Nguyên năm {year}",
        defaults={
            "year": year,
            "opens_on": datetime.date(year, 1, 1),
            "closes_on": datetime.date(year, 12, 31),
            "intro": "Sở Khoa học và Công nghệ tỉnh Thái Nguyên đề nghị doanh nghiệp cho biết "
            "nhu cầu đổi mới công nghệ để kết nối với đối tác trong và ngoài nước.",
            "created_by": context.users.get("staff.thainguyen@demo.local"),
        },
    )
    for key in ("tea", "electronics", "tungsten", "pharma"):
        organization = context.organizations.get(key)
        if organization is not None:
            CampaignInvitation.objects.get_or_create(
                campaign=campaign,
                email=organization.contact_email,
                defaults={"organization": organization},
            )
    return campaign


# The English versions some firms gave for readers abroad (representatives read English).
ENGLISH_VERSIONS = {
    "Cơ giới hóa khâu làm héo, diệt men và vò chè xanh": (
        "Mechanised withering, fixing and rolling of green tea",
        "Our withering, fixing and rolling are still done by hand or on old machines: low "
        "output and uneven batches; EU buyers return about 15% of lots for liquor colour and "
        "broken leaves. We want a continuous line for 2 tonnes of fresh leaves a day, fixing "
        "temperature within ±5 °C, under 5% broken leaves, with operator training.",
    ),
    "Tái sinh dung dịch ăn mòn đồng và thu hồi đồng tại xưởng sản xuất mạch in": (
        "Regenerating copper etchant and recovering copper in a PCB workshop",
        "Our PCB workshop discards about 40 m³ of saturated copper etchant a month; outside "
        "treatment is costly and the copper is lost. We look for on-site regeneration of the "
        "etchant with copper recovery.",
    ),
}


def seed(context) -> None:
    campaign = _campaign(context)
    today = timezone.localdate()
    now = timezone.now()
    staff = {
        "thai-nguyen": context.users.get("staff.thainguyen@demo.local"),
        "bac-ninh": context.users.get("staff.bacninh@demo.local"),
    }
    english = {normalize_text(vi): en for vi, en in ENGLISH_VERSIONS.items()}
    members = {}
    for user in context.users.values():
        if user.organization_id:
            members.setdefault(user.organization_id, user)
    for (
        key,
        status,
        visibility,
        in_campaign,
        title,
        problem,
        current,
        expected,
        fields,
        cooperation,
        trl,
        (budget_min, budget_max),
        months,
        countries,
        keywords,
        _answers,
    ) in DEMANDS:
        organization = context.organizations.get(key)
        if organization is None:
            continue
        title = normalize_text(title)
        if Demand.objects.filter(organization=organization, title=title).exists():
            continue
        author = members.get(organization.pk)
        reviewer = staff.get(organization.province.slug)
        texts = [title, problem, current, expected, keywords]
        title_en, summary_en = english.get(title, ("", ""))
        demand = Demand.objects.create(
            organization=organization,
            province_id=organization.province_id,
            campaign=campaign if in_campaign and status != S.DRAFT else None,
            created_by=author,
            title=title,
            title_en=title_en,
            summary_en=summary_en,
            problem=problem,
            current_situation=current,
            expected_result=expected,
            keywords=keywords,
            trl_min_id=trl,
            budget_min_vnd=budget_min,
            budget_max_vnd=budget_max,
            wanted_by=today + datetime.timedelta(days=30 * months),
            preferred_countries=countries,
            visibility=visibility,
            language=detect_language(" ".join(texts)),
            status=status,
            review_note=RETURN_NOTE if status == S.RETURNED else "",
            search_text=search_blob(*texts, title_en, summary_en),
            capacity_staff=Demand.StaffCapacity.SKILLED if expected else "",
            capacity_investment=Demand.Investment.OWN_FUNDS if budget_max else "",
            capacity_has_space=bool(expected),
            submitted_at=now if status != S.DRAFT else None,
            published_at=now if status in (S.PUBLISHED, S.IN_CONNECTION, S.FULFILLED) else None,
        )
        demand.fields.set(fields)
        demand.cooperation.set(cooperation)
        path = PATHS[status]
        previous = ""
        moved = {}
        for step, to_status in enumerate(path):
            by_staff = to_status in (S.RETURNED, S.PUBLISHED, S.IN_CONNECTION, S.FULFILLED)
            # the demand's steps a week apart, the last one a week ago
            moved[to_status] = now - datetime.timedelta(days=7 * (len(path) - step))
            DemandEvent.objects.create(
                demand=demand,
                actor=reviewer if by_staff else author,
                from_status=previous,
                to_status=to_status,
                note=RETURN_NOTE if to_status == S.RETURNED else "",
                created_at=moved[to_status],
            )
            previous = to_status
        # the dates the lists and dashboards show are those of the history
        Demand.objects.filter(pk=demand.pk).update(
            created_at=moved[S.DRAFT],
            submitted_at=moved.get(S.SUBMITTED),
            published_at=moved.get(S.PUBLISHED),
        )
