"""Running a step: start work, the step's form, autosave, completion, authorisation, cancelling."""

from django.urls import URLPattern, URLResolver, path

from workflows.views import steps

urlpatterns: list[URLPattern | URLResolver] = [
    path("people/<int:person_id>/start/", steps.step_start_person, name="step-start-person"),
    path("groups/<int:group_id>/start/", steps.step_start_group, name="step-start-group"),
    path("steps/<int:step_id>/", steps.step_detail, name="step-detail"),
    path("steps/<int:step_id>/autosave/", steps.step_autosave, name="step-autosave"),
    path("steps/<int:step_id>/find-person/", steps.step_find_person, name="step-find-person"),
    path("steps/<int:step_id>/complete/", steps.step_complete, name="step-complete"),
    path("steps/<int:step_id>/authorise/", steps.step_authorise, name="step-authorise"),
    path("steps/<int:step_id>/cancel/", steps.step_cancel, name="step-cancel"),
]
