"""Reports and dashboards' figures: provincial staff for their province, the national unit
(coordinator, admin) for every province; nobody else. Which provinces a report covers is
`insights.selectors.report_provinces_visible_to`. django-rules' autodiscovery imports this
module when the apps are ready."""

from __future__ import annotations

import rules

from accounts.permissions.core import is_national, is_staff

rules.add_rule("report.province", is_staff | is_national)
