from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kotacerdas.core.admin import ReadOnlyAdmin

from .models import (
    Answer,
    Assessment,
    AssessmentScore,
    Assignment,
    ConsensusScore,
    Cycle,
    Evidence,
    Feedback,
    Interview,
    Panel,
    Participation,
    Result,
    Submission,
)


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ("name", "year", "pack_code", "pack_version", "stage", "published_at")


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "region", "region_class", "cohort")
    list_filter = ("cycle", "region_class")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("region", "cycle", "stage", "status", "submitted_at")
    list_filter = ("cycle", "stage", "status")
    search_fields = ("region__name", "region__code")


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("submission", "indicator", "level", "updated_by", "updated_at")
    search_fields = ("indicator",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("submission", "indicator", "kind", "original_name", "content_type", "size", "archived_at")


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ("name", "cycle", "region_class", "lead")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("panel", "region", "cycle", "active")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("submission", "assessor", "status", "completed_at")


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "indicator", "level")


@admin.register(ConsensusScore)
class ConsensusScoreAdmin(ReadOnlyAdmin):
    list_display = ("submission", "indicator", "level", "set_by")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("programme", "assessor", "submission", "created_at")


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    list_display = ("submission", "at", "recorded_by")


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ("region", "cycle", "index", "shown_predicate", "rank", "is_published")
    list_filter = ("cycle", "is_published")
    search_fields = ("region__name", "region__code")
    # The stored label is not shown: only a predicate under official bands is (scoring.predicates).
    exclude = ("predicate",)

    @admin.display(description=_("predikat"))
    def shown_predicate(self, obj: Result) -> str:
        return obj.published_predicate.label or "–"
