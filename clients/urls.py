from django.urls import path

from clients.views import access, chronology, maintenance, merge, notes, person, records, search

app_name = "clients"

urlpatterns = [
    # Finding and adding people (clients/views/search.py)
    path("", search.person_search, name="search"),
    path("new/", search.person_create, name="person-create"),
    # The single view and the person's details (clients/views/person.py)
    path("<int:person_id>/", person.person_detail, name="person-detail"),
    path("<int:person_id>/edit/", person.person_edit, name="person-edit"),
    path("<int:person_id>/addresses/new/", person.address_add, name="address-add"),
    path("<int:person_id>/names/new/", person.name_add, name="name-add"),
    # Relationships, involvements, alerts and groups (clients/views/records.py)
    path("<int:person_id>/relationships/", records.relationship_list, name="relationships"),
    path("<int:person_id>/relationships/new/", records.relationship_add, name="relationship-add"),
    path(
        "<int:person_id>/relationships/<int:relationship_id>/end/",
        records.relationship_end,
        name="relationship-end",
    ),
    path("<int:person_id>/involvements/new/", records.involvement_add, name="involvement-add"),
    path(
        "<int:person_id>/involvements/<int:involvement_id>/end/",
        records.involvement_end,
        name="involvement-end",
    ),
    path("<int:person_id>/alerts/new/", records.alert_add, name="alert-add"),
    path("<int:person_id>/alerts/<int:alert_id>/end/", records.alert_end, name="alert-end"),
    path("<int:person_id>/groups/new/", records.group_add, name="group-add"),
    # Case notes (clients/views/notes.py)
    path("<int:person_id>/notes/", notes.note_list, name="note-list"),
    path("<int:person_id>/notes/new/", notes.note_create, name="note-create"),
    path("<int:person_id>/notes/<int:note_id>/", notes.note_detail, name="note-detail"),
    path("<int:person_id>/notes/<int:note_id>/edit/", notes.note_edit, name="note-edit"),
    path(
        "<int:person_id>/notes/<int:note_id>/finalise/", notes.note_finalise, name="note-finalise"
    ),
    path("<int:person_id>/notes/<int:note_id>/amend/", notes.note_amend, name="note-amend"),
    # Chronology and the access log (clients/views/chronology.py)
    path("<int:person_id>/chronology/", chronology.chronology_list, name="chronology"),
    path("<int:person_id>/chronology/new/", chronology.chronology_add, name="chronology-add"),
    path(
        "<int:person_id>/chronology/<int:entry_id>/hide/",
        chronology.chronology_hide,
        name="chronology-hide",
    ),
    path(
        "<int:person_id>/chronology/<int:entry_id>/unhide/",
        chronology.chronology_unhide,
        name="chronology-unhide",
    ),
    path("<int:person_id>/chronology.csv", chronology.chronology_export, name="chronology-export"),
    path("<int:person_id>/access-log/", chronology.access_log, name="access-log"),
    # Maintenance jobs for system administrators (clients/views/maintenance.py)
    path(
        "maintenance/search-keys/",
        maintenance.rebuild_search_keys,
        name="rebuild-search-keys",
    ),
    # Restricted and sealed records, breaking the glass (clients/views/access.py)
    path("<int:person_id>/access/", access.record_access_page, name="record-access"),
    path(
        "<int:person_id>/access/<int:grant_id>/remove/",
        access.record_access_remove,
        name="record-access-remove",
    ),
    path("<int:person_id>/break-glass/", access.break_glass, name="break-glass"),
    # Duplicates (clients/views/merge.py)
    path("<int:person_id>/merge/", merge.merge_choose, name="person-merge"),
    path("<int:person_id>/merge/<int:other_id>/", merge.merge_confirm, name="person-merge-confirm"),
]
