"""Who could take a need (对单配餐): members, teams and units' resources, ranked, each with the reasons
shown in plain words, so the community can dispatch with one look at the board.

Candidates:

- **members** who serve the need's community: they live in it, or they have an active check-in to it
  (submitted, certified or confirmed). In-service and retired members alike. Whoever declined this
  need already, or holds it now, is left out.
- **teams** (志愿服务队) of the community that have members.
- **resources** of units tied to the community (paired with it, located in it, or offering the resource
  to it), available today, filed under the need's item or big category, naming one of its skills in
  the title, or — uncategorised — of a kind that fits (hours and skills for a need; goods, funds and
  hours for a wish). Offering one goes to the unit, so each unit shows once, with its best resource.

How the order is made. A score is a sum of points, each for something a community secretary weighs
before picking up the phone, so that the order reads the way they would rank the people themselves
(the constants below carry the numbers):

- Fitting skills weigh most: 30 when the member's skills (their profile, or what they wrote when
  checking in) name a skill the item asks for; 50 when the need itself names that skill, so the
  calligrapher across the community comes before the dancer next door for "想学书法".
- Then closeness: the same building 25, the same compound 18, the same grid cell 12, elsewhere in
  the community 8; reporting to the community (an active check-in) adds 4.
- Then the focus they signed up for when checking in (the item's vanguard kind, 五个先锋): 10.
- Each task already on their plate (offered or accepted, anywhere) costs 8, up to four: three open
  tasks outweigh being a neighbour in the same compound, so work spreads instead of piling up.
- Past ratings of their confirmed service: the average is pulled towards 4★ as if three 4★ ratings
  were added, then counts 8 points per star above or below 4★. One 5★ rating is worth +2, five are
  worth +5; a single 1★ costs -6, less than one open task.
- Recent service of the same item (6 months): 4 each, up to three — they know the way.

Teams get 8 (they are the community's), 25 when their focus is the item's, a point per member up to
10, and the same load rule. A unit's resource gets 30 when filed under the item (20 under its big
category, 15 when its title names a skill, 10 when only its kind fits), 12 when offered to this
community (10 when the unit is paired with it, 8 when it sits in it), and the load, ratings and
recent service of the unit's members. The best matching team and resource always keep a place.

Every figure is read with a fixed number of queries, whatever the number of candidates
(``SUGGESTION_QUERIES``): the need with its category and place; the members, then one grouped query
each for their check-ins here, their open tasks, ratings and recent service; one annotated query for
the teams, one for the resources; one for the members chosen. Scoring happens in Python on those
rows: each candidate gets a list of facts (same building, 2 tasks open…) with their points, and only
the few shown have their facts put into words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from access import SERVING_CHECKIN_STATES, units_serving_q
from checkin.models import CheckIn, Team, TeamMembership, UnitPairing
from people.models import Member
from service.models import (
    CURRENT_ASSIGNMENT_STATES,
    Assignment,
    AssignmentState,
    Need,
    NeedKind,
    Rating,
    RecordState,
    Resource,
    ResourceKind,
    ServiceRecord,
)
from service.needs.suggestion_words import WORDS

# --- the weights (the module docstring says how they make the order) ------------------------------

SKILL_MATCH = 30  # the member's skills (profile or check-in) name a skill the item asks for
SKILL_NAMED = 20  # … and the need itself names that skill (书法 for "想学书法")
FOCUS_MATCH = 10  # the member signed up for the item's vanguard kind (五个先锋) when checking in
SAME_BUILDING = 25  # lives in the building of the need
SAME_COMPOUND = 18  # lives in the compound
SAME_GRID = 12  # lives in the grid cell
IN_COMMUNITY = 8  # lives in the community
CHECKED_IN = 4  # reports to the community (on top of where they live)
LOAD_PENALTY = 8  # per open task (offered or accepted) anywhere
LOAD_COUNTED = 4  # open tasks beyond this cost nothing more (the score already says "busy")
RATING_WEIGHT = 8  # points per star above (or below) the prior
PRIOR_SCORE = 4.0  # the prior: a typical rating …
PRIOR_RATINGS = 3  # … counted as if given this many times
RECENT_DAYS = 180  # "recent" service
RECENT_EACH = 4  # per confirmed service of the same item in RECENT_DAYS
RECENT_COUNTED = 3  # at most this many count

TEAM_FOCUS = 25  # the team's focus is the item's vanguard kind
TEAM_BASE = IN_COMMUNITY  # a team is of the community
TEAM_SIZE_COUNTED = 10  # one point per member, up to this many

RESOURCE_ITEM = 30  # filed under the need's item
RESOURCE_CATEGORY = 20  # filed under its big category
RESOURCE_KEYWORD = 15  # names one of the item's skills in its title
RESOURCE_KIND = 10  # uncategorised, of a kind that fits
OFFERED_HERE = 12  # offered to this community
PAIRED_HERE = 10  # the unit is paired with the community (结对共建)
LOCATED_HERE = 8  # the unit sits in the community

# Kinds of resource that fit a need or a wish when nobody filed the resource under a category.
FITTING_KINDS = {
    NeedKind.NEED: (ResourceKind.PEOPLE_HOURS, ResourceKind.SKILLS),
    NeedKind.WISH: (ResourceKind.GOODS, ResourceKind.FUNDS, ResourceKind.PEOPLE_HOURS),
}
SERVING_STATES = SERVING_CHECKIN_STATES  # a check-in makes them serve there (access.serves_in)
KIND_ORDER = {"member": 0, "team": 1, "resource": 2}
# the need; the members, their check-ins here, open tasks, ratings and recent service; the teams; the
# resources; the members chosen, as model instances
SUGGESTION_QUERIES = 9

_SKILL_SEPARATORS = re.compile(r"[\s、,，;；/|]+")


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "member" | "team" | "resource"
    target: object  # Member | Team | Resource (a resource is dispatched to its unit)
    score: float
    reasons: list[str] = field(default_factory=list)


# A fact about a candidate, as a tuple: what it is, then what its words need ("load", 2).
Fact = tuple


@dataclass
class _Scored:
    kind: str
    pk: int
    name: str
    target: object  # None for a member until chosen (members are scored from plain rows)
    score: float
    facts: list[Fact]
    match: bool = True  # a team or resource that fits the item earns a reserved place

    def order(self):
        return (-self.score, KIND_ORDER[self.kind], self.name, self.pk)


def suggest(need, *, limit: int = 8) -> list[Suggestion]:
    """The best ``limit`` candidates for ``need``, best first. The list keeps room for the best
    matching team and the best matching resource, so the board always shows every way to dispatch."""
    need = Need.objects.select_related("community", "category", "building__grid").get(pk=need.pk)
    ctx = _Context(need)
    members = [_score_member(ctx, m) for m in _members(ctx)]
    teams = [_score_team(ctx, t) for t in _teams(ctx)]
    resources = _best_per_unit(_score_resource(ctx, r) for r in _resources(ctx))
    chosen = sorted(members + teams + resources, key=_Scored.order)[:limit]
    for pool in (teams, resources):
        best = min((s for s in pool if s.match and s.score > 0), key=_Scored.order, default=None)
        if best is None or best in chosen or limit < 3:
            continue
        droppable = [s for s in chosen if s.kind == "member"]
        if droppable:
            chosen.remove(max(droppable, key=_Scored.order))
            chosen.append(best)
    _load_members([s for s in chosen if s.kind == "member"])
    return [
        Suggestion(s.kind, s.target, round(s.score, 1), [WORDS[f[0]](ctx, s.target, *f[1:]) for f in s.facts])
        for s in sorted(chosen, key=_Scored.order)
    ]


class _Context:
    """What every candidate is compared with: the item's skills and focus, and the need's place."""

    def __init__(self, need: Need) -> None:
        self.need = need
        self.community_id = need.community_id
        self.category = need.category
        self.keywords = need.category.keyword_list()
        self.words = f"{need.title} {need.description}"
        self.focus = need.category.vanguard_kind
        self.big_category_id = need.category.parent_id
        building = need.building
        self.building_id = need.building_id
        self.compound_id = need.compound_id or (building.compound_id if building is not None else None)
        # the finest grid known: the building's cell, else the grid the need was posted in
        cell = building.grid.path if building is not None and building.grid_id else ""
        self.grid_path = cell or need.grid_path
        self.since = timezone.now() - timedelta(days=RECENT_DAYS)
        self.today = timezone.localdate()
        self.turned_down = Assignment.objects.filter(need_id=need.pk).filter(
            Q(state=AssignmentState.DECLINED) | Q(state__in=CURRENT_ASSIGNMENT_STATES)
        )

    def skill_matches(self, *texts: str) -> list[str]:
        """The candidate's own skill words that fit the item (电工 fits 电工 and 水电工, 家电维修 fits 维修)."""
        found: list[str] = []
        for text in texts:
            for word in _SKILL_SEPARATORS.split(text or ""):
                if len(word) < 2 or word in found:
                    continue
                if any(k in word or (len(k) >= 2 and word in k) for k in self.keywords):
                    found.append(word)
        return found


def _count(queryset, key: str):
    """A correlated COUNT(*) of ``queryset`` grouped by ``key`` (0 when there are none)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _sum(queryset, key: str, column: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(key).annotate(s=Sum(column)).values("s")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _common(ctx: _Context, scored: _Scored, open_tasks: int, rating_total: int, rating_n: int, recent: int):
    """Load, past ratings and recent service: the same rule for members, teams and units."""
    scored.score -= LOAD_PENALTY * min(open_tasks, LOAD_COUNTED)
    scored.facts.append(("load", open_tasks))
    if rating_n:
        shrunk = (rating_total + PRIOR_SCORE * PRIOR_RATINGS) / (rating_n + PRIOR_RATINGS)
        scored.score += (shrunk - PRIOR_SCORE) * RATING_WEIGHT
        scored.facts.append(("rated", rating_total / rating_n, rating_n, scored.kind == "resource"))
    if recent:
        scored.score += RECENT_EACH * min(recent, RECENT_COUNTED)
        scored.facts.append(("recent", recent, scored.kind == "resource"))


# --- members --------------------------------------------------------------------------------------


def _members(ctx: _Context) -> list[dict]:
    """The candidates as plain rows with their figures: the members, then their check-ins here,
    their open tasks, their ratings and their recent service in the item, each one grouped query over
    the same candidates. (One query of correlated subqueries would be fewer round trips, but its
    planner cost grows with the candidates until PostgreSQL compiles it with JIT: 750 ms at 1,300
    candidates, docs/PERFORMANCE.md. A model instance per row would cost more than the scoring.)"""
    serving = CheckIn.objects.filter(community_id=ctx.community_id, state__in=SERVING_STATES).order_by()
    # a UNION rather than an OR of the two, which no engine answers from its indexes
    candidates = (
        Member.objects.filter(residence_area_id=ctx.community_id)
        .order_by()
        .values("pk")
        .union(serving.values("member_id"))
    )
    # NOT EXISTS, not NOT IN: PostgreSQL plans an anti-join and keeps the index scans
    fresh = ~Exists(ctx.turned_down.filter(member_id=OuterRef("pk")))
    columns = (
        "id",
        "name",
        "skills",
        "residence_area_id",
        "residence_compound_id",
        "residence_building_id",
        "grid_path",
    )
    # those who live here (the residence index), with those who report here (the primary key)
    living = Member.objects.filter(fresh, residence_area_id=ctx.community_id)
    reporting = Member.objects.filter(fresh, pk__in=serving.values("member_id"))
    rows = list(living.order_by().values(*columns).union(reporting.order_by().values(*columns)))
    if not rows:
        return rows
    checkins = {
        m: (skills, kinds)
        for m, skills, kinds in serving.values_list("member_id", "skills", "vanguard_kinds")
    }
    load = dict(
        Assignment.objects.filter(member_id__in=candidates, state__in=CURRENT_ASSIGNMENT_STATES)
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    ratings = {
        m: (total, n)
        for m, total, n in Rating.objects.filter(
            record__member_id__in=candidates, record__state=RecordState.CONFIRMED
        )
        .order_by()
        .values("record__member_id")
        .annotate(total=Sum("score"), n=Count("pk"))
        .values_list("record__member_id", "total", "n")
    }
    recent = dict(
        ServiceRecord.objects.filter(
            member_id__in=candidates,
            state=RecordState.CONFIRMED,
            category_id=ctx.category.pk,
            started_at__gte=ctx.since,
        )
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    for row in rows:
        pk = row["id"]
        row["checked_in"] = pk in checkins
        row["checkin_skills"], row["checkin_kinds"] = checkins.get(pk, ("", []))
        row["open_tasks"] = load.get(pk, 0)
        row["rating_total"], row["rating_n"] = ratings.get(pk, (0, 0))
        row["recent"] = recent.get(pk, 0)
    return rows


def _score_member(ctx: _Context, m: dict) -> _Scored:
    scored = _Scored("member", m["id"], m["name"], None, 0.0, [])
    skills = ctx.skill_matches(m["skills"], m["checkin_skills"] or "")
    if skills:
        scored.score += SKILL_MATCH
        scored.facts.append(("skills", skills))
        if any(word in ctx.words for word in skills):
            scored.score += SKILL_NAMED
    if ctx.focus and isinstance(m["checkin_kinds"], list) and ctx.focus in m["checkin_kinds"]:
        scored.score += FOCUS_MATCH
        scored.facts.append(("signed_up", ctx.focus))
    lives_here = m["residence_area_id"] == ctx.community_id
    if lives_here and ctx.building_id and m["residence_building_id"] == ctx.building_id:
        scored.score += SAME_BUILDING
        scored.facts.append(("building",))
    elif lives_here and ctx.compound_id and m["residence_compound_id"] == ctx.compound_id:
        scored.score += SAME_COMPOUND
        scored.facts.append(("compound",))
    elif lives_here and ctx.grid_path and m["grid_path"].startswith(ctx.grid_path):
        scored.score += SAME_GRID
        scored.facts.append(("grid",))
    elif lives_here:
        scored.score += IN_COMMUNITY
        scored.facts.append(("lives",))
    if m["checked_in"]:
        scored.score += CHECKED_IN
        scored.facts.append(("reports",))
    _common(ctx, scored, m["open_tasks"], m["rating_total"], m["rating_n"], m["recent"])
    return scored


def _load_members(chosen: list[_Scored]) -> None:
    """The chosen members as model instances, with what the board shows and posts: the name, the
    unit's name and the public ids (one query, none when no member is chosen)."""
    if not chosen:
        return
    found = (
        Member.objects.select_related("unit")
        .only("id", "public_id", "name", "in_service", "unit__id", "unit__public_id", "unit__name")
        .in_bulk([s.pk for s in chosen])
    )
    for s in chosen:
        s.target = found[s.pk]


# --- teams ----------------------------------------------------------------------------------------


def _teams(ctx: _Context):
    return (
        Team.objects.filter(community_id=ctx.community_id)
        .filter(~Exists(ctx.turned_down.filter(team_id=OuterRef("pk"))))
        .annotate(
            size=_count(TeamMembership.objects.filter(team_id=OuterRef("pk")), "team_id"),
            open_tasks=_count(
                Assignment.objects.filter(team_id=OuterRef("pk"), state__in=CURRENT_ASSIGNMENT_STATES),
                "team_id",
            ),
        )
        .filter(size__gt=0)
        .order_by()
    )


def _score_team(ctx: _Context, team: Team) -> _Scored:
    """A team of the community; only one whose focus is the item's earns a reserved place."""
    match = bool(ctx.focus) and team.vanguard_kind == ctx.focus
    scored = _Scored("team", team.pk, team.name, team, float(TEAM_BASE), [("team",)], match)
    if match:
        scored.score += TEAM_FOCUS
        scored.facts.append(("focus", team.vanguard_kind))
    scored.score += min(team.size, TEAM_SIZE_COUNTED)
    scored.facts.append(("size", team.size))
    _common(ctx, scored, team.open_tasks, 0, 0, 0)
    return scored


# --- resources ------------------------------------------------------------------------------------


def _resources(ctx: _Context):
    paired = UnitPairing.objects.active_on(ctx.today).filter(community_id=ctx.community_id)
    # offered to this community, or offered to any by a unit that serves it (sits in it or is paired)
    tied = Q(community_id=ctx.community_id) | Q(community__isnull=True) & units_serving_q(ctx.community_id)
    fits = Q(category_id__in=[c for c in (ctx.category.pk, ctx.big_category_id) if c]) | Q(
        category__isnull=True, kind__in=FITTING_KINDS.get(ctx.need.kind, ())
    )
    for keyword in ctx.keywords:
        fits |= Q(title__contains=keyword)
    unit_records = ServiceRecord.objects.filter(unit_id=OuterRef("unit_id"), state=RecordState.CONFIRMED)
    unit_ratings = Rating.objects.filter(
        record__unit_id=OuterRef("unit_id"), record__state=RecordState.CONFIRMED
    )
    return (
        Resource.objects.available(ctx.today)
        .filter(tied, fits)
        .filter(~Exists(ctx.turned_down.filter(unit_id=OuterRef("unit_id"))))
        .select_related("unit", "category")
        .annotate(
            paired_here=_count(paired.filter(unit_id=OuterRef("unit_id")), "unit_id"),
            open_tasks=_count(
                Assignment.objects.filter(unit_id=OuterRef("unit_id"), state__in=CURRENT_ASSIGNMENT_STATES),
                "unit_id",
            ),
            rating_n=_count(unit_ratings, "record__unit_id"),
            rating_total=_sum(unit_ratings, "record__unit_id", "score"),
            recent=_count(
                unit_records.filter(category_id=ctx.category.pk, started_at__gte=ctx.since), "unit_id"
            ),
        )
        .order_by()
    )


def _score_resource(ctx: _Context, r: Resource) -> _Scored:
    """A unit's resource; only one filed under the need's category, or naming one of its skills,
    earns a reserved place. A unit's ratings and recent service are its members'."""
    scored = _Scored("resource", r.pk, r.title, r, 0.0, [("resource",)])
    keywords = [k for k in ctx.keywords if k in r.title]
    if r.category_id == ctx.category.pk:
        scored.score += RESOURCE_ITEM
        scored.facts.append(("filed",))
    elif r.category_id and r.category_id == ctx.big_category_id:
        scored.score += RESOURCE_CATEGORY
        scored.facts.append(("filed",))
    elif keywords:
        scored.score += RESOURCE_KEYWORD
        scored.facts.append(("skills", keywords))
    else:
        scored.score += RESOURCE_KIND
    scored.match = r.category_id is not None or bool(keywords)
    if r.community_id == ctx.community_id:
        scored.score += OFFERED_HERE
        scored.facts.append(("offered",))
    elif r.paired_here:
        scored.score += PAIRED_HERE
        scored.facts.append(("paired",))
    elif r.unit.address_area_id == ctx.community_id:
        scored.score += LOCATED_HERE
        scored.facts.append(("located",))
    scored.facts.append(("available",))
    _common(ctx, scored, r.open_tasks, r.rating_total, r.rating_n, r.recent)
    return scored


def _best_per_unit(scored) -> list[_Scored]:
    """Offering a resource offers the need to its unit: each unit once, with its best resource."""
    best: dict[int, _Scored] = {}
    for s in scored:
        kept = best.get(s.target.unit_id)
        if kept is None or s.order() < kept.order():
            best[s.target.unit_id] = s
    return list(best.values())
