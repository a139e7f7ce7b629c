"""Course planners: the model planner and the offline planner, behind one interface."""

from django.conf import settings
from django.utils.module_loading import import_string

from courses.planning.base import PartDraft, PlanContext, Planner
from courses.planning.model import ModelPlanner
from courses.planning.offline import OfflinePlanner
from docprof.ai import factory

__all__ = ["PartDraft", "PlanContext", "Planner", "get_planner"]


def get_planner(llm=None) -> Planner:
    """`DOCPROF_PLANNER` (a dotted path to a planner factory) if set; else the model planner when a
    model is configured (or given), else the offline planner."""
    if llm is None and settings.DOCPROF_PLANNER:
        return import_string(settings.DOCPROF_PLANNER)()
    llm = llm if llm is not None else factory.get_llm()
    if llm is None:
        return OfflinePlanner()
    return ModelPlanner(llm)
