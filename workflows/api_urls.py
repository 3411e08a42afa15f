"""The work API, under /api/v1/: trays and steps (the OpenAPI schema is at /api/v1/schema/)."""

from django.urls import path

from workflows import api

urlpatterns = [
    path("work/mine/", api.MyWorkApi.as_view(), name="api-work-mine"),
    path("work/teams/<int:team_id>/tray/", api.TeamTrayApi.as_view(), name="api-work-team-tray"),
    path("work/authorisations/", api.AuthorisationsApi.as_view(), name="api-work-authorisations"),
    path("steps/<int:step_id>/", api.StepApi.as_view(), name="api-step"),
    path("steps/<int:step_id>/answers/", api.StepAnswersApi.as_view(), name="api-step-answers"),
    path("steps/<int:step_id>/complete/", api.StepCompleteApi.as_view(), name="api-step-complete"),
    path(
        "steps/<int:step_id>/authorise/", api.StepAuthoriseApi.as_view(), name="api-step-authorise"
    ),
]
