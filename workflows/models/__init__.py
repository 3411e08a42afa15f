from workflows.models.definitions import (
    Form,
    FormField,
    FormSection,
    FormVersion,
    StepType,
    Transition,
    Workflow,
)
from workflows.models.facts_adults import *  # noqa: F403
from workflows.models.facts_children import *  # noqa: F403
from workflows.models.runs import Episode, Step, StepDecision, StepDraft, StepLink

__all__ = [
    "Episode",
    "Form",
    "FormField",
    "FormSection",
    "FormVersion",
    "Step",
    "StepDecision",
    "StepDraft",
    "StepLink",
    "StepType",
    "Transition",
    "Workflow",
]
