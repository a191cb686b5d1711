"""Thin views: parse input, call one action or query, render. Grouped by audience."""

from __future__ import annotations

from .administration import (
    admin_cycle,
    admin_home,
    admin_panels,
    admin_people,
    admin_progress,
    admin_publish,
    admin_schedule,
    region_people,
)
from .assessment import (
    add_evidence_file,
    add_evidence_link,
    apply_survey_level,
    archive_evidence,
    assessor_screen,
    complete_assessment,
    conclude,
    return_submission,
    save_answer,
    save_feedback,
    save_score,
    set_consensus,
    start_assessment,
    submission_detail,
    submit,
)
from .geo import geojson
from .home import home
from .national import national, national_map, national_map_data, national_ranking
from .public import portal, public_region
from .region import dashboard, programme_detail, programme_list, region_map, region_map_data

__all__ = [
    "admin_cycle", "admin_home", "admin_panels", "admin_people", "admin_progress", "admin_publish",
    "admin_schedule", "national_ranking", "region_people",
    "add_evidence_file", "add_evidence_link", "apply_survey_level", "archive_evidence", "assessor_screen", "complete_assessment",
    "conclude", "dashboard", "geojson", "home", "national", "national_map", "national_map_data", "portal",
    "programme_detail", "programme_list", "public_region", "region_map", "region_map_data", "return_submission",
    "save_answer", "save_feedback", "save_score", "set_consensus", "start_assessment", "submission_detail",
    "submit",
]
