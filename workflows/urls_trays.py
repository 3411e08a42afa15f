"""Work trays, allocation from a team's tray, and a person's case progress map."""

from django.urls import path

from workflows.views import progress, trays

urlpatterns = [
    path("", trays.my_work, name="work-mine"),
    path("teams/", trays.team_tray_list, name="work-team-trays"),
    path("teams/<int:team_id>/tray/", trays.team_tray, name="work-team-tray"),
    path("authorisations/", trays.authorisations, name="work-authorisations"),
    path("steps/<int:step_id>/allocate/", trays.step_allocate, name="step-allocate"),
    path("people/<int:person_id>/map/", progress.progress_map, name="person-progress-map"),
]
