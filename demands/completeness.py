"""What a reviewer will miss in a demand: checked before submit, shown to the writer.

Blocking issues stop a submission; warnings are shown and the writer may submit anyway.
Pure functions over the demand's values (the M2M counts are passed in, so a form can check
values it has not saved yet).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.text import fold, has_vietnamese_diacritics

MIN_PROBLEM_CHARS = 80
MIN_SPEC_CHARS = 40

# Frequent Vietnamese syllables once their accents are stripped: a text made of them but
# carrying no diacritic is Vietnamese typed without accents (which ruins matching).
_UNACCENTED_VI = frozenset(
    [
        "va",
        "cua",
        "cac",
        "cho",
        "la",
        "co",
        "duoc",
        "trong",
        "voi",
        "mot",
        "nhung",
        "nay",
        "de",
        "khi",
        "tu",
        "tai",
        "theo",
        "ve",
        "den",
        "da",
        "se",
        "dang",
        "cong",
        "nghe",
        "san",
        "xuat",
        "che",
        "bien",
        "may",
        "nha",
        "thiet",
        "bi",
        "he",
        "thong",
        "xu",
        "ly",
        "nuoc",
        "thai",
        "doanh",
        "nghiep",
        "can",
        "chung",
        "toi",
        "hien",
        "nang",
        "suat",
        "chat",
        "luong",
        "tu",
        "dong",
        "hoa",
        "ky",
        "thuat",
        "giai",
        "phap",
        "muon",
        "tim",
        "nguoi",
        "dan",
        "tinh",
        "nong",
        "nghiep",
        "dien",
        "tu",
        "khuon",
        "mau",
        "ho",
        "tro",
        "dao",
        "tao",
        "hop",
        "tac",
        "chuyen",
        "giao",
    ]
)


@dataclass(frozen=True)
class Issue:
    field: str
    message: str
    blocking: bool


def looks_like_unaccented_vietnamese(text: str) -> bool:
    words = fold(text).split()
    if len(words) < 6 or has_vietnamese_diacritics(text):
        return False
    hits = sum(1 for w in words if w.strip(".,;:()") in _UNACCENTED_VI)
    return hits / len(words) >= 0.3


def check(
    *,
    title: str,
    problem: str,
    current_situation: str,
    expected_result: str,
    field_count: int,
    cooperation_count: int,
    budget_min_vnd: int | None,
    budget_max_vnd: int | None,
    wanted_by: datetime.date | None,
    today: datetime.date,
) -> list[Issue]:
    """Every issue, blocking first."""
    issues: list[Issue] = []
    if not title.strip():
        issues.append(Issue("title", _("Give the demand a title."), True))
    if not problem.strip():
        issues.append(Issue("problem", _("Describe the problem to solve."), True))
    elif len(problem.strip()) < MIN_PROBLEM_CHARS:
        issues.append(
            Issue(
                "problem",
                _(
                    "The problem description is short (under %(n)d characters): reviewers and "
                    "partners abroad need the context, volumes and constraints."
                )
                % {"n": MIN_PROBLEM_CHARS},
                False,
            )
        )
    if not expected_result.strip():
        issues.append(
            Issue(
                "expected_result",
                _(
                    "No expected result or technical specification: say what the technology must "
                    "achieve (capacity, quality, standards)."
                ),
                True,
            )
        )
    elif len(expected_result.strip()) < MIN_SPEC_CHARS:
        issues.append(
            Issue(
                "expected_result",
                _("The specification is very short: add figures (capacity, quality, standards)."),
                False,
            )
        )
    if field_count == 0:
        issues.append(Issue("fields", _("Choose at least one S&T field."), True))
    if cooperation_count == 0:
        issues.append(Issue("cooperation", _("Say which kind of cooperation you want."), False))
    if budget_min_vnd is None and budget_max_vnd is None:
        issues.append(
            Issue(
                "budget_max_vnd",
                _("No budget: partners cannot judge whether their offer fits."),
                False,
            )
        )
    if wanted_by is not None and wanted_by < today:
        issues.append(Issue("wanted_by", _("The wanted-by date is in the past."), True))
    if not current_situation.strip():
        issues.append(
            Issue("current_situation", _("Describe your current technology and situation."), False)
        )
    texts = {
        "title": title,
        "problem": problem,
        "current_situation": current_situation,
        "expected_result": expected_result,
    }
    unaccented = [name for name, text in texts.items() if looks_like_unaccented_vietnamese(text)]
    if unaccented:
        issues.append(
            Issue(
                unaccented[0],
                _(
                    "The text seems to be Vietnamese typed without diacritics; please type it with "
                    "accents (tiếng Việt có dấu) so that it can be read and matched."
                ),
                False,
            )
        )
    issues.sort(key=lambda issue: not issue.blocking)
    return issues


def check_demand(demand, *, today: datetime.date) -> list[Issue]:
    return check(
        title=demand.title,
        problem=demand.problem,
        current_situation=demand.current_situation,
        expected_result=demand.expected_result,
        field_count=demand.fields.count(),
        cooperation_count=demand.cooperation.count(),
        budget_min_vnd=demand.budget_min_vnd,
        budget_max_vnd=demand.budget_max_vnd,
        wanted_by=demand.wanted_by,
        today=today,
    )
