"""The administrator's pages: accounts, roles, deactivation, password resets, groups."""

import re

import pytest

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import User, WorkshopGroup
from tests import factories

from .helpers import csrf_from, log_in


@pytest.fixture
def admin(accounts):
    return accounts.login_as("admin")


def test_admin_creates_an_account_and_the_password_is_shown_once(app, client, admin):
    token = csrf_from(client, "/backoffice/konta")

    response = client.post(
        "/backoffice/konta",
        data={
            "csrf_token": token,
            "name": "Nowa Osoba",
            "email": "Nowa@Example.org",
            "role": "staff",
        },
    )

    page = response.get_data(as_text=True)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    with app.app_context():
        user = db.session.query(User).filter_by(email="nowa@example.org").one()
        assert user.role == Role.STAFF
    other = app.test_client()
    assert log_in(other, "nowa@example.org", password).status_code == 303


def test_duplicate_email_is_refused_at_the_field(app, client, admin, accounts):
    _, email = accounts.create("staff")
    token = csrf_from(client, "/backoffice/konta")

    response = client.post(
        "/backoffice/konta",
        data={"csrf_token": token, "name": "X Y", "email": email, "role": "staff"},
    )

    assert 'id="email-error"' in response.get_data(as_text=True)


def test_admin_makes_an_instructor_of_a_group(app, client, admin, accounts):
    user_id, _ = accounts.create("staff")
    with app.app_context():
        group_id = factories.group_for("upholstery").id
    token = csrf_from(client, f"/backoffice/konta/{user_id}")

    response = client.post(
        f"/backoffice/konta/{user_id}",
        data={
            "csrf_token": token,
            "name": "Stolarz Instruktor",
            "role": "instructor",
            "active": "y",
            "groups": [str(group_id)],
        },
    )

    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role == Role.INSTRUCTOR and [g.id for g in user.groups] == [group_id]


def test_deactivating_an_account_ends_its_sessions(app, client, admin, accounts):
    user_id, email = accounts.create("staff")
    other = app.test_client()
    assert log_in(other, email).status_code == 303
    token = csrf_from(client, f"/backoffice/konta/{user_id}")

    client.post(
        f"/backoffice/konta/{user_id}",
        data={"csrf_token": token, "name": "Była Osoba", "role": "staff"},
    )

    assert other.get("/backoffice/zgloszenia").status_code == 302
    assert log_in(app.test_client(), email).status_code == 200


def test_admin_cannot_lock_themselves_out(app, client, admin):
    token = csrf_from(client, f"/backoffice/konta/{admin}")

    response = client.post(
        f"/backoffice/konta/{admin}",
        data={"csrf_token": token, "name": "Ja", "role": "staff", "active": "y"},
    )

    assert 'id="role-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin).role == Role.ADMIN


def test_password_reset_replaces_the_old_password(app, client, admin, accounts):
    user_id, email = accounts.create("staff")
    token = csrf_from(client, f"/backoffice/konta/{user_id}")

    page = client.post(
        f"/backoffice/konta/{user_id}/nowe-haslo", data={"csrf_token": token}
    ).get_data(as_text=True)

    new_password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert log_in(app.test_client(), email).status_code == 200
    assert log_in(app.test_client(), email, new_password).status_code == 303


def test_admin_adds_and_renames_a_group(app, client, admin):
    with app.app_context():
        category_id = factories.category("tailoring").id
    token = csrf_from(client, "/backoffice/grupy")

    added = client.post(
        "/backoffice/grupy",
        data={
            "csrf_token": token,
            "name": "Krawiectwo II",
            "category_id": category_id,
            "location": "ul. Sienkiewicza 29",
            "active": "y",
        },
    )
    with app.app_context():
        group_id = db.session.query(WorkshopGroup).filter_by(name="Krawiectwo II").one().id
    renamed = client.post(
        f"/backoffice/grupy/{group_id}",
        data={
            "csrf_token": token,
            "name": "Krawiectwo popołudniowe",
            "category_id": category_id,
            "active": "y",
        },
    )
    clash = client.post(
        "/backoffice/grupy",
        data={"csrf_token": token, "name": "Krawiectwo popołudniowe", "category_id": category_id},
    )

    assert added.status_code == 303 and renamed.status_code == 303
    assert 'id="name-error"' in clash.get_data(as_text=True)
    assert "Krawiectwo popołudniowe" in client.get("/backoffice/grupy").get_data(as_text=True)


def test_staff_cannot_reach_admin_pages(client, accounts):
    accounts.login_as("staff")

    assert client.get("/backoffice/konta").status_code == 403
    assert client.get("/backoffice/grupy").status_code == 403
