"""Course planners: the model planner and the offline planner, behind one interface."""

from courses.planning.base import PartDraft, PlanContext, Planner, get_planner

__all__ = ["PartDraft", "PlanContext", "Planner", "get_planner"]
