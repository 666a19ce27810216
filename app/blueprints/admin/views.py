"""The admin area: people, teams (with their members) and ticket categories. Admins only.

Create and edit pages share one flow (``_form_page``): validate the form, save through the
service, commit and redirect (303); refused input comes back as typed, with each message next
to its field and status 422.
"""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.blueprints.admin import bp
from app.blueprints.common import apply_field_errors, posted_form, render, role_required
from app.extensions import db
from app.forms.admin import (ActionForm, CategoryForm, LeadForm, MemberForm, TeamForm, UserForm,
                             UserSearchForm)
from app.http_input import query_int
from app.models import Category, Membership, Role, Team, User
from app.services import categories, outbox, teams, users
from app.services.errors import ValidationFailed
from app.sessions import reissue_session


def _form_page(form, save, done, template: str, fragment: str | None = None, **context):
    """GET shows ``form``; a valid POST goes through ``save(input)``, commits and redirects to
    ``done`` (a URL, or a function of the saved object giving one) with a flash; anything
    refused re-renders ``template`` with status 422."""
    if form.validate_on_submit():
        try:
            saved = save(form.to_input())
        except ValidationFailed as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(f"Saved {saved.name}.", "success")
            return redirect(done(saved) if callable(done) else done, 303)
    return render(template, fragment=fragment, form=form, status=422 if form.is_submitted() else 200,
                  **context)


@bp.get("/")
@role_required()
def index():
    return render("admin/index.html", users=users.count_users(), teams=teams.count_teams(),
                  categories=categories.count_categories(), failed_jobs=outbox.failed_count())


# --- Users ---------------------------------------------------------------------------------------

@bp.get("/users")
@role_required()
def user_list():
    """Searchable, filterable, paginated; the table alone for htmx (live search)."""
    form = UserSearchForm(request.args)
    valid = form.validate()
    query, role = (form.q.data or "", form.role.data or "") if valid else ("", "")
    page = users.user_page(query, Role(role) if role else None, page=query_int("page", 1))
    args = {key: value for key, value in (("q", query), ("role", role)) if value}
    return render("admin/user_list.html", fragment="admin/_user_table.html", status=200 if valid else 422,
                  form=form, page=page, args=args)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required()
def user_new():
    form = UserForm(roles=[Role.EMPLOYEE.value])
    form.set_manager_choices(users.manager_candidates(None))
    return _form_page(form, lambda data: users.save_user(None, data, current_user),
                      url_for("admin.user_list"), "admin/user_form.html", user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required()
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.set_manager_choices(users.manager_candidates(user))
    return _form_page(form, lambda data: _save_user_keeping_own_session(user, data),
                      url_for("admin.user_list"), "admin/user_form.html", user=user)


def _save_user_keeping_own_session(user: User, data) -> User:
    """A new password (or a role dropped) ends the user's sessions; an admin editing their own
    account keeps the session they are using, as on the change-password page."""
    saved = users.save_user(user, data, current_user)
    if saved.id == current_user.id:
        reissue_session(saved)
    return saved


# --- Teams ---------------------------------------------------------------------------------------

@bp.get("/teams")
@role_required()
def team_list():
    return render("admin/team_list.html", teams=teams.list_teams())


@bp.route("/teams/new", methods=["GET", "POST"])
@role_required()
def team_new():
    form = TeamForm()
    form.set_escalation_choices(teams.all_teams())
    return _form_page(form, lambda data: teams.save_team(None, data), url_for("admin.team_list"),
                      "admin/team_form.html", team=None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@role_required()
def team_edit(team_id: int):
    """The team's settings and, below them, its members (the fragment that member actions
    answer with)."""
    team = _team_or_404(team_id)
    form = TeamForm(obj=team)
    form.set_escalation_choices(teams.all_teams(), this_team=team)
    return _form_page(form, lambda data: teams.save_team(team, data), url_for("admin.team_edit", team_id=team.id),
                      "admin/team_form.html", fragment="admin/_team_members.html",
                      **_members_context(team, MemberForm(formdata=None)))


@bp.post("/teams/<int:team_id>/members")
@role_required()
def team_member_add(team_id: int):
    team = _team_or_404(team_id)
    form = MemberForm()
    form.set_people(teams.member_candidates(team))
    if form.validate_on_submit():
        try:
            teams.add_member(team, form.user_id.data, is_lead=form.is_lead.data, make_agent=form.make_agent.data)
        except ValidationFailed as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            return redirect(url_for("admin.team_edit", team_id=team.id), 303)
    settings = TeamForm(formdata=None, obj=team)
    settings.set_escalation_choices(teams.all_teams(), this_team=team)
    return render("admin/team_form.html", fragment="admin/_team_members.html", status=422,
                  form=settings, **_members_context(team, form))


@bp.post("/teams/<int:team_id>/members/<int:user_id>/lead")
@role_required()
def team_member_lead(team_id: int, user_id: int):
    team, user = _team_or_404(team_id), db.get_or_404(User, user_id)
    form = posted_form(LeadForm)
    teams.set_lead(team, user, form.is_lead.data)
    db.session.commit()
    return redirect(url_for("admin.team_edit", team_id=team.id), 303)


@bp.post("/teams/<int:team_id>/members/<int:user_id>/remove")
@role_required()
def team_member_remove(team_id: int, user_id: int):
    team, user = _team_or_404(team_id), db.get_or_404(User, user_id)
    posted_form(ActionForm)
    users.remove_membership(team, user)
    db.session.commit()
    return redirect(url_for("admin.team_edit", team_id=team.id), 303)


def _team_or_404(team_id: int) -> Team:
    return db.get_or_404(Team, team_id, options=[selectinload(Team.memberships).selectinload(Membership.user)])


def _members_context(team: Team, member_form: MemberForm) -> dict:
    if not member_form.user_id.choices:
        member_form.set_people(teams.member_candidates(team))
    return dict(team=team, member_form=member_form, lead_form=LeadForm(formdata=None),
                action_form=ActionForm(formdata=None))


# --- Categories ----------------------------------------------------------------------------------

@bp.get("/categories")
@role_required()
def category_list():
    return render("admin/category_list.html", categories=categories.list_categories())


@bp.route("/categories/new", methods=["GET", "POST"])
@role_required()
def category_new():
    return _category_page(None)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required()
def category_edit(category_id: int):
    return _category_page(db.get_or_404(Category, category_id))


def _category_page(category: Category | None):
    form = CategoryForm(obj=category)
    form.set_team_choices(teams.all_teams())
    return _form_page(form, lambda data: categories.save_category(category, data),
                      url_for("admin.category_list"), "admin/category_form.html", category=category)
