"""Session timeouts, tracking sign-ins, and ending sessions (casemgmt/sessions.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt import sessions
from casemgmt.models import AuditEvent, Job, User, UserSession

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _later(clock: time_machine.Coordinates, **delta: float) -> None:
    clock.shift(datetime.timedelta(**delta))


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed_in_with_form(username: str, **headers: str) -> Client:
    """Signed in through the sign-in page, from a browser (and address) of the test's choosing."""
    client = Client(**headers)
    response = client.post(
        reverse("login"), {"username": username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def password_only(settings: object) -> None:
    """Signing in with the form signs in (the second factor is another helper's tests)."""
    settings.MFA_REQUIRED = False  # type: ignore[attr-defined]


def _session_data(client: Client) -> dict[str, object]:
    return dict(client.session.items())


def _is_signed_in(client: Client) -> bool:
    return client.get(reverse("session-list")).status_code == 200


def _tracked(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


# -- signing in and out is tracked --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("password_only")
def test_signing_in_with_the_form_records_the_session(
    users: dict[str, User], clock: time_machine.Coordinates
) -> None:
    # Given a worker signing in from Chrome on Windows
    client = Client(HTTP_USER_AGENT=CHROME_ON_WINDOWS, REMOTE_ADDR="203.0.113.7")

    # When they sign in
    response = client.post(
        reverse("login"), {"username": "alice.worker", "password": "correct-horse-battery"}
    )

    # Then the session is recorded, with its clocks started
    assert response.status_code == 302
    tracked = UserSession.objects.get(user=users["allocated_worker"])
    assert tracked.session_key == client.session.session_key
    assert tracked.created_at == START
    assert tracked.last_seen_at == START
    assert tracked.ip_address == "203.0.113.7"
    assert tracked.user_agent == CHROME_ON_WINDOWS
    assert tracked.ended_at is None
    data = _session_data(client)
    assert data[sessions.SIGNED_IN_AT] == START.timestamp()
    assert data[sessions.LAST_ACTIVITY] == START.timestamp()


@pytest.mark.django_db
def test_signing_out_ends_the_tracked_session(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    key = client.session.session_key
    _later(clock, minutes=5)

    client.post(reverse("logout"))

    tracked = UserSession.objects.get(session_key=key)
    assert tracked.ended_at == START + datetime.timedelta(minutes=5)
    assert tracked.ended_reason == UserSession.EndedReason.SIGNED_OUT


# -- the idle timeout ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_idle_session_ends_with_a_message_on_the_sign_in_page(
    worker: User, clock: time_machine.Coordinates
) -> None:
    # Given a worker who did nothing for just over 30 minutes
    client = _signed_in(worker)
    key = client.session.session_key
    assert client.get(reverse("session-list")).status_code == 200
    _later(clock, minutes=30, seconds=2)

    # When they open a page
    response = client.get(reverse("session-list") + "?x=1")

    # Then they are sent to sign in, and back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/account/sessions/%3Fx%3D1"
    # and the sign-in page says why
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity" in page.content.decode()
    # and the session is gone from the store and recorded as timed out
    assert not Session.objects.filter(session_key=key).exists()
    tracked = UserSession.objects.get(session_key=key)
    assert tracked.ended_reason == UserSession.EndedReason.IDLE
    assert not _is_signed_in(client)


@pytest.mark.django_db
def test_a_session_used_within_the_idle_time_carries_on(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    for _ in range(4):
        _later(clock, minutes=29)
        assert _is_signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/account/sessions/", {"HTTP_HX_REQUEST": "true"}),
        ("/account/sessions/", {"HTTP_SEC_FETCH_MODE": "cors"}),
        ("/account/sessions/", {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}),
        ("/api/v1/schema/", {}),
    ],
)
def test_a_script_whose_session_timed_out_gets_401_json(
    worker: User, clock: time_machine.Coordinates, path: str, headers: dict[str, str]
) -> None:
    # Given a session that timed out while a step form's autosave, htmx or the API waited
    client = _signed_in(worker)
    _later(clock, minutes=31)

    # When a script calls the server
    response = client.get(path, **headers)  # type: ignore[arg-type]

    # Then it is told, in a form it can read (step-autosave.js shows "session ended" on 401)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "You were signed out after 30 minutes without activity. Sign in again.",
        "reason": "idle",
        "login_url": "/login/",
    }
    assert not _is_signed_in(client)


@pytest.mark.django_db
def test_a_form_posted_after_the_idle_timeout_changes_nothing(
    worker: User, clock: time_machine.Coordinates
) -> None:
    other = _signed_in(worker)
    client = _signed_in(worker)
    events = AuditEvent.objects.count()
    _later(clock, minutes=31)

    response = client.post(reverse("session-end"), {"scope": "others"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.count() == events
    # (the other session timed out too, but was not ended by this request)
    assert UserSession.objects.get(session_key=other.session.session_key).ended_at is None


# -- the absolute timeout -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_busy_session_still_ends_twelve_hours_after_signing_in(
    worker: User, clock: time_machine.Coordinates
) -> None:
    # Given a worker active every 20 minutes all day
    client = _signed_in(worker)
    key = client.session.session_key
    for _ in range(35):
        _later(clock, minutes=20)
        assert _is_signed_in(client)
    _later(clock, minutes=19, seconds=59)  # 11:59:59 after signing in
    assert _is_signed_in(client)

    # When they carry on past 12 hours
    _later(clock, seconds=2)
    response = client.get(reverse("session-list"))

    # Then they are signed out, and told why
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "You were signed out after 12 hours" in page.content.decode()
    assert "without activity" not in page.content.decode()
    assert UserSession.objects.get(session_key=key).ended_reason == "absolute"


@pytest.mark.django_db
def test_the_timeouts_come_from_settings(
    worker: User, clock: time_machine.Coordinates, settings: object
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 5 * 60  # type: ignore[attr-defined]
    client = _signed_in(worker)
    _later(clock, minutes=4)
    assert _is_signed_in(client)
    _later(clock, minutes=5, seconds=1)
    response = client.get(reverse("session-list"))
    assert (
        "You were signed out after 5 minutes without activity"
        in client.get(response["Location"]).content.decode()
    )


# -- last activity is written at most once a minute --------------------------------------------------


@pytest.mark.django_db
def test_last_activity_is_written_at_most_once_a_minute(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    tracked = _tracked(client)

    # Requests within the minute write nothing
    for _ in range(5):
        _later(clock, seconds=10)
        assert _is_signed_in(client)
    assert _session_data(client)[sessions.LAST_ACTIVITY] == START.timestamp()
    tracked.refresh_from_db()
    assert tracked.last_seen_at == START

    # The first request a minute on writes the session and its row
    _later(clock, seconds=10)
    assert _is_signed_in(client)
    moment = START + datetime.timedelta(seconds=60)
    assert _session_data(client)[sessions.LAST_ACTIVITY] == moment.timestamp()
    tracked.refresh_from_db()
    assert tracked.last_seen_at == moment


@pytest.mark.django_db
def test_a_request_within_the_minute_does_not_save_the_session(
    worker: User, clock: time_machine.Coordinates, django_assert_num_queries: Callable[..., object]
) -> None:
    client = _signed_in(worker)
    _later(clock, seconds=30)
    client.get(reverse("session-list"))
    before = Session.objects.get(session_key=client.session.session_key).expire_date
    _later(clock, seconds=20)
    client.get(reverse("session-list"))
    assert Session.objects.get(session_key=client.session.session_key).expire_date == before


# -- keep-alive and the status check --------------------------------------------------------------


@pytest.mark.django_db
def test_stay_signed_in_extends_the_idle_time_but_not_the_absolute(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    _later(clock, minutes=28)

    response = client.post(reverse("session-keep-alive"))

    assert response.status_code == 200
    assert response.json() == {
        "idle_remaining": 30 * 60,
        "absolute_remaining": 12 * 60 * 60 - 28 * 60,
        "idle_timeout": 30 * 60,
        "absolute_timeout": 12 * 60 * 60,
    }
    assert _tracked(client).last_seen_at == START + datetime.timedelta(minutes=28)
    _later(clock, minutes=29)
    assert _is_signed_in(client)


@pytest.mark.django_db
def test_keep_alive_cannot_revive_a_timed_out_session(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    _later(clock, minutes=31)
    response = client.post(reverse("session-keep-alive"), HTTP_SEC_FETCH_MODE="cors")
    assert response.status_code == 401
    assert response.json()["reason"] == "idle"
    assert not _is_signed_in(client)


@pytest.mark.django_db
def test_keep_alive_needs_the_csrf_token_and_a_post(worker: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    assert client.post(reverse("session-keep-alive")).status_code == 403
    assert client.get(reverse("session-keep-alive")).status_code == 405
    assert _signed_in(worker).put(reverse("session-keep-alive")).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["session-keep-alive", "session-status"])
def test_the_timeout_endpoints_say_401_when_not_signed_in(name: str) -> None:
    client = Client()
    response = (
        client.post(reverse(name)) if name == "session-keep-alive" else client.get(reverse(name))
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "You are not signed in.", "reason": "signed_out"}


@pytest.mark.django_db
def test_asking_how_long_is_left_does_not_extend_the_session(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    for minutes in (10, 10, 9):
        _later(clock, minutes=minutes)
        response = client.get(reverse("session-status"), HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response["X-CSRFToken"]
    assert response.json()["idle_remaining"] == 60

    _later(clock, minutes=1, seconds=1)
    assert client.get(reverse("session-status")).status_code == 401
    assert UserSession.objects.get(user=worker).ended_reason == "idle"


@pytest.mark.django_db
def test_polling_a_jobs_progress_does_not_extend_the_session(
    users: dict[str, User], clock: time_machine.Coordinates
) -> None:
    # Given an administrator watching a long job's progress bar (htmx polls every second)
    admin = users["admin"]
    job = Job.objects.create(kind="clients.rebuild_search_keys", title="Rebuild", created_by=admin)
    client = _signed_in(admin)
    url = reverse("job-detail", kwargs={"job_id": job.pk})
    for _ in range(29):
        _later(clock, minutes=1)
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200

    # When 30 minutes pass with only polling
    _later(clock, minutes=1, seconds=1)
    response = client.get(url, HTTP_HX_REQUEST="true")

    # Then the session has timed out
    assert response.status_code == 401


@pytest.mark.django_db
def test_opening_the_job_page_itself_is_activity(
    users: dict[str, User], clock: time_machine.Coordinates
) -> None:
    admin = users["admin"]
    job = Job.objects.create(kind="clients.rebuild_search_keys", title="Rebuild", created_by=admin)
    client = _signed_in(admin)
    url = reverse("job-detail", kwargs={"job_id": job.pk})
    for _ in range(3):
        _later(clock, minutes=20)
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_request_marked_passive_does_not_extend_the_session(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    for _ in range(3):
        _later(clock, minutes=10)
        assert (
            client.get(reverse("session-list"), HTTP_X_SESSION_ACTIVITY="passive").status_code
            == 200
        )
    _later(clock, seconds=1)
    assert client.get(reverse("session-list")).status_code == 302


# -- the page's configuration for the warning ---------------------------------------------------------


@pytest.mark.django_db
def test_signed_in_pages_carry_the_warning_and_its_configuration(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    _later(clock, minutes=10)
    page = client.get(reverse("session-list")).content.decode()
    assert 'data-session-idle-timeout="1800"' in page
    assert 'data-session-idle-remaining="1800"' in page
    assert f'data-session-absolute-remaining="{12 * 3600 - 600}"' in page
    assert 'data-session-warning="120"' in page
    assert 'data-session-keep-alive-url="/account/session/keep-alive/"' in page
    assert 'role="alertdialog"' in page
    assert "js/session-timeout.js" in page
    assert "<script>" not in page  # no inline script


@pytest.mark.django_db
def test_the_sign_in_page_has_no_warning() -> None:
    page = Client().get(reverse("login")).content.decode()
    assert "data-session-idle-timeout" not in page
    assert "session-timeout.js" not in page


# -- disabling an account ends its sessions -------------------------------------------------------------


@pytest.mark.django_db
def test_disabling_an_account_ends_all_its_sessions(worker: User) -> None:
    # Given a worker signed in on two devices
    laptop = _signed_in(worker)
    phone = _signed_in(worker)
    keys = [laptop.session.session_key, phone.session.session_key]

    # When the account is disabled (a model save, as the shell or any code does)
    worker.is_active = False
    worker.save()

    # Then both sessions are gone from the store (database and cache)
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not _is_signed_in(laptop)
    assert not _is_signed_in(phone)
    # and recorded as ended, and audited
    assert set(
        UserSession.objects.filter(session_key__in=keys).values_list("ended_reason", flat=True)
    ) == {"account_disabled"}
    event = AuditEvent.objects.get(action="sessions_end")
    assert event.object_id == str(worker.pk)
    assert event.changes["sessions_ended"] == [None, 2]


@pytest.mark.django_db
def test_saving_other_fields_leaves_sessions_alone(worker: User) -> None:
    client = _signed_in(worker)
    worker.job_title = "Senior practitioner"
    worker.save()
    worker.save(update_fields=["job_title"])
    assert _is_signed_in(client)
    # An account that is already disabled has nothing to end
    worker.is_active = False
    worker.save()
    worker.save()
    assert AuditEvent.objects.filter(action="sessions_end").count() == 1


def _admin_change_form_data(client: Client, user: User) -> dict[str, object]:
    """What the user's admin page would post back unchanged."""
    response = client.get(reverse("admin:casemgmt_user_change", args=[user.pk]))
    assert response.status_code == 200
    data: dict[str, object] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled:
            continue
        if isinstance(value, list | tuple):
            if name in {"last_login", "date_joined"}:
                data[f"{name}_0"], data[f"{name}_1"] = value
            else:
                data[name] = [str(item) for item in value]
        elif isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"] = local.strftime("%Y-%m-%d")
            data[f"{name}_1"] = local.strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[inline_form.add_prefix(name)] = value
    return data


@pytest.mark.django_db
def test_disabling_an_account_in_the_admin_ends_its_sessions(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    worker = users["allocated_worker"]
    worker_client = _signed_in(worker)
    admin = client_for("admin")
    data = _admin_change_form_data(admin, worker)
    data.pop("is_active")

    response = admin.post(reverse("admin:casemgmt_user_change", args=[worker.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    worker.refresh_from_db()
    assert worker.is_active is False
    assert not _is_signed_in(worker_client)
    assert _tracked_reasons(worker) == {"account_disabled"}
    # (the administrator is still signed in)
    assert _is_signed_in(admin)


def _tracked_reasons(user: User) -> set[str]:
    return set(UserSession.objects.filter(user=user).values_list("ended_reason", flat=True))


# -- an administrator ends a user's sessions ----------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_ends_a_users_sessions_from_their_admin_page(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    # Given a worker signed in twice, and the user's admin page with its button
    worker = users["allocated_worker"]
    devices = [_signed_in(worker), _signed_in(worker)]
    admin = client_for("admin")
    page = admin.get(reverse("admin:casemgmt_user_change", args=[worker.pk])).content.decode()
    url = reverse("user-sessions-end", kwargs={"user_id": worker.pk})
    assert f'action="{url}"' in page

    # When the administrator presses it
    response = admin.post(url, follow=True)

    # Then the worker is signed out everywhere, and the administrator is told
    assert response.redirect_chain[-1][0] == reverse("admin:casemgmt_user_change", args=[worker.pk])
    assert "Ended 2 sessions of alice.worker." in response.content.decode()
    assert not any(_is_signed_in(device) for device in devices)
    assert _tracked_reasons(worker) == {"ended_by_administrator"}
    event = AuditEvent.objects.get(action="sessions_end")
    assert event.actor == users["admin"]
    assert event.kind == AuditEvent.Kind.CHANGE
    assert event.changes == {
        "sessions_ended": [None, 2],
        "reason": [None, "ended_by_administrator"],
    }
    # Pressing it again: nothing more to end, nothing more audited
    response = admin.post(url, follow=True)
    assert "lice.worker was not signed in." in response.content.decode()
    assert AuditEvent.objects.filter(action="sessions_end").count() == 1


@pytest.mark.django_db
def test_an_administrator_ending_their_own_sessions_stays_signed_in_here(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    admin_user = users["admin"]
    elsewhere = _signed_in(admin_user)
    admin = client_for("admin")
    admin.post(reverse("user-sessions-end", kwargs={"user_id": admin_user.pk}))
    assert _is_signed_in(admin)
    assert not _is_signed_in(elsewhere)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["allocated_worker", "team_manager", "senior_manager", "business_support"]
)
def test_only_administrators_may_end_someone_elses_sessions(
    persona: str, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    target = users["other_team_worker"]
    target_client = _signed_in(target)
    events = AuditEvent.objects.count()

    response = client_for(persona).post(reverse("user-sessions-end", kwargs={"user_id": target.pk}))

    assert response.status_code == 403
    assert _is_signed_in(target_client)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_staff_user_without_the_permission_is_refused(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    helpdesk = users["allocated_worker"]
    helpdesk.is_staff = True
    helpdesk.save()
    target_client = _signed_in(users["other_team_worker"])
    response = client_for("allocated_worker").post(
        reverse("user-sessions-end", kwargs={"user_id": users["other_team_worker"].pk})
    )
    assert response.status_code == 403
    assert _is_signed_in(target_client)


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["0", "999999", "99999999999999999999999"])
def test_ending_the_sessions_of_a_user_who_does_not_exist_is_404(
    user_id: str, client_for: Callable[[str], Client]
) -> None:
    response = client_for("admin").post(f"/staff/{user_id}/sessions/end/")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/staff/abc/sessions/end/", "/staff/-1/sessions/end/"])
def test_a_malformed_user_id_is_404(path: str, client_for: Callable[[str], Client]) -> None:
    assert client_for("admin").post(path).status_code == 404


@pytest.mark.django_db
def test_ending_sessions_needs_a_post_and_the_csrf_token(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    target_client = _signed_in(users["allocated_worker"])
    url = reverse("user-sessions-end", kwargs={"user_id": users["allocated_worker"].pk})
    assert client_for("admin").get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["admin"])
    assert strict.post(url).status_code == 403
    assert _is_signed_in(target_client)


@pytest.mark.django_db
def test_the_admin_action_ends_the_sessions_of_the_chosen_users(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    chosen = [users["allocated_worker"], users["other_team_worker"]]
    devices = [_signed_in(user) for user in chosen]
    bystander = _signed_in(users["team_manager"])

    response = client_for("admin").post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "end_sessions", "_selected_action": [str(user.pk) for user in chosen]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Ended 2 sessions." in response.content.decode()
    assert not any(_is_signed_in(device) for device in devices)
    assert _is_signed_in(bystander)
    assert sorted(
        AuditEvent.objects.filter(action="sessions_end").values_list("object_id", flat=True)
    ) == sorted(str(user.pk) for user in chosen)


# -- your own sessions ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("password_only")
def test_your_sessions_lists_where_you_are_signed_in(
    users: dict[str, User], clock: time_machine.Coordinates
) -> None:
    _signed_in_with_form("alice.worker", HTTP_USER_AGENT=SAFARI_ON_IPHONE)
    _later(clock, minutes=3)
    laptop = _signed_in_with_form("alice.worker", HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    _signed_in_with_form("oscar.other", HTTP_USER_AGENT="Someone else's browser")

    page = laptop.get(reverse("session-list")).content.decode()

    assert "Your sessions" in page
    assert "Safari on iOS" in page
    assert "Chrome on Windows" in page
    assert "This device" in page
    assert "Someone else" not in page
    assert page.count('name="session"') == 1  # only the other one can be signed out here
    assert "127.0.0.1" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("password_only")
def test_sessions_that_timed_out_are_not_listed(
    users: dict[str, User], clock: time_machine.Coordinates
) -> None:
    _signed_in_with_form("alice.worker", HTTP_USER_AGENT=SAFARI_ON_IPHONE)
    _later(clock, minutes=31)
    laptop = _signed_in_with_form("alice.worker", HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    page = laptop.get(reverse("session-list")).content.decode()
    assert "Safari on iOS" not in page
    assert "You are not signed in anywhere else." in page


@pytest.mark.django_db
def test_signing_out_another_of_your_sessions(worker: User) -> None:
    phone = _signed_in(worker)
    laptop = _signed_in(worker)
    phone_session = _tracked(phone)

    response = laptop.post(reverse("session-end"), {"session": phone_session.pk}, follow=True)

    assert "That session is signed out." in response.content.decode()
    assert not _is_signed_in(phone)
    assert _is_signed_in(laptop)
    phone_session.refresh_from_db()
    assert phone_session.ended_reason == "ended_by_user"
    event = AuditEvent.objects.get(action="session_end")
    assert event.actor == worker
    assert event.object_id == str(phone_session.pk)


@pytest.mark.django_db
def test_signing_out_all_your_other_sessions(worker: User) -> None:
    others = [_signed_in(worker) for _ in range(3)]
    laptop = _signed_in(worker)

    response = laptop.post(reverse("session-end"), {"scope": "others"}, follow=True)

    assert "Signed out 3 other sessions." in response.content.decode()
    assert not any(_is_signed_in(other) for other in others)
    assert _is_signed_in(laptop)
    response = laptop.post(reverse("session-end"), {"scope": "others"}, follow=True)
    assert "You were not signed in anywhere else." in response.content.decode()


@pytest.mark.django_db
def test_your_current_session_is_ended_by_signing_out_not_here(worker: User) -> None:
    laptop = _signed_in(worker)
    response = laptop.post(reverse("session-end"), {"session": _tracked(laptop).pk})
    assert response.status_code == 400
    assert (
        "This is the session you are using now. To end it, sign out." in response.content.decode()
    )
    assert _is_signed_in(laptop)


@pytest.mark.django_db
def test_someone_elses_session_cannot_be_ended_and_its_existence_does_not_leak(
    worker: User, users: dict[str, User]
) -> None:
    victim = _signed_in(users["other_team_worker"])
    laptop = _signed_in(worker)
    events = AuditEvent.objects.count()

    theirs = laptop.post(reverse("session-end"), {"session": _tracked(victim).pk})
    missing = laptop.post(reverse("session-end"), {"session": 987654321})

    assert theirs.status_code == missing.status_code == 302
    assert theirs["Location"] == missing["Location"] == reverse("session-list")
    assert "That session had already ended." in laptop.get(reverse("session-list")).content.decode()
    assert _is_signed_in(victim)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choose a session to sign out"),
        ("abc", "Choose a session from the list"),
        ("-1", "Choose a session from the list"),
        ("0", "Choose a session from the list"),
        ("1.5", "Choose a session from the list"),
        ("1 OR 1=1", "Choose a session from the list"),
        ("9" * 40, "Choose a session from the list"),
        ("<script>alert(1)</script>", "Choose a session from the list"),
        ("x" * 100_000, "Choose a session from the list"),
        ("1\x00", "Choose a session from the list"),
    ],
)
def test_a_bad_session_choice_gets_a_clear_error(worker: User, value: str, message: str) -> None:
    other = _signed_in(worker)
    laptop = _signed_in(worker)
    events = AuditEvent.objects.count()

    response = laptop.post(reverse("session-end"), {"session": value})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "<script>alert" not in page
    assert _is_signed_in(other)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_no_session_field_at_all_is_a_clear_error(worker: User) -> None:
    laptop = _signed_in(worker)
    response = laptop.post(reverse("session-end"), {"scope": "everything"})
    assert response.status_code == 400
    assert "Choose a session to sign out" in response.content.decode()


@pytest.mark.django_db
def test_ending_a_session_needs_the_csrf_token(worker: User) -> None:
    other = _signed_in(worker)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(worker)
    assert strict.post(reverse("session-end"), {"scope": "others"}).status_code == 403
    assert strict.get(reverse("session-end")).status_code == 405
    assert _is_signed_in(other)


# -- smaller rules ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cycled_session_key_is_followed(worker: User) -> None:
    # Changing one's password cycles the session key (update_session_auth_hash)
    client = _signed_in(worker)
    tracked = _tracked(client)
    session = client.session
    session.cycle_key()
    session.save()
    client.cookies["sessionid"] = session.session_key

    assert _is_signed_in(client)

    tracked.refresh_from_db()
    assert tracked.session_key == session.session_key


@pytest.mark.django_db
def test_a_session_from_before_tracking_starts_its_clocks(
    worker: User, clock: time_machine.Coordinates
) -> None:
    client = _signed_in(worker)
    UserSession.objects.all().delete()
    session = client.session
    for key in (sessions.SIGNED_IN_AT, sessions.LAST_ACTIVITY, sessions.TRACKED_KEY):
        del session[key]
    session.save()
    _later(clock, hours=20)

    assert _is_signed_in(client)
    assert _tracked(client).created_at == START + datetime.timedelta(hours=20)


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (CHROME_ON_WINDOWS, "Chrome on Windows"),
        (SAFARI_ON_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on macOS",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_devices_are_described_in_words(user_agent: str, described: str) -> None:
    assert sessions.describe_device(user_agent) == described


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1800, "30 minutes"),
        (43200, "12 hours"),
        (3600, "1 hour"),
        (60, "1 minute"),
        (20, "20 seconds"),
    ],
)
def test_durations_in_words(seconds: int, words: str) -> None:
    assert sessions.duration_in_words(seconds) == words


@pytest.mark.django_db
@pytest.mark.usefixtures("password_only")
def test_a_hostile_user_agent_and_address_are_stored_safely(users: dict[str, User]) -> None:
    client = _signed_in_with_form(
        "alice.worker", HTTP_USER_AGENT="A" * 10_000 + "\x00\x1b[31m", REMOTE_ADDR="2001:db8::1"
    )
    tracked = _tracked(client)
    assert tracked.user_agent == "A" * 300
    assert tracked.ip_address == "2001:db8::1"
    assert _is_signed_in(client)
