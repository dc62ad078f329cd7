"""The service loop of the demo city (群众点单、党组织派单、党员接单): service posts and their claims,
needs and wishes in every state with their dispatch history, household pairings with visits, units'
resources, co-building projects, service records and their confirmation, ratings, the points ledger,
a points supermarket per community and its redemptions.

As with the check-ins (demo/checkins.py), the city's history is bulk-created: every row is written as
the actions would have left it, by construction. A need's state is the end of its event chain; a
member has at most one service a day outside the deliberately flagged ones, so nothing else trips the
plausibility checks; every confirmed record books exactly what ``points.actions`` would book
(its ``quote`` and ``split_points``: the rule, the urgent bonus and the daily cap), dated when it was
confirmed; a redemption is placed only when the balance at that moment covers it and the shelf still
has one. So every balance is its ledger's sum and never went below zero.

The demo accounts' live business goes through the actions, now: the ``resident`` asks for help twice,
the ``community`` dispatches both needs to the ``member`` with the reasons ``service.suggestions``
gives, the member accepts one and serves it (the record waits for the resident's confirmation), and a
``grid`` worker's need waits for the member's answer. What the other roles find: the community has
new needs, pending and flagged records; the unit has resources and a running project; the member
has points to spend.

The words (titles, reasons, notes) are what people type: data in Chinese, not interface strings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext

from checkin.models import CheckIn, CheckInState, Team, TeamMembership, UnitPairing
from demo.layout import CityLayout, CommunityPlace, Dice, Weighted
from orgs.models import Unit, UnitKind
from people.models import Member, Resident
from places.models import Grid
from points.actions import quote, rule_for, split_points
from points.models import EntryKind, PointEntry, Redemption, RedemptionState, Reward
from service.models import (
    Assignment,
    AssignmentState,
    AssignmentVia,
    ConfirmedVia,
    Flag,
    HouseholdPairing,
    Milestone,
    Need,
    NeedEvent,
    NeedKind,
    NeedState,
    PairingVisit,
    PostClaim,
    PostedAs,
    Project,
    ProjectCommitment,
    ProjectEvent,
    ProjectState,
    ProjectUnit,
    Rating,
    RecordState,
    Resource,
    ResourceKind,
    ServiceCategory,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
    Urgency,
)
from service.needs import actions
from service.needs.suggestions import suggest
from service.records import actions as record_actions

# --- the words --------------------------------------------------------------------------------------

# (item code, title, description) of needs; the community-wide ones have no beneficiary.
NEEDS = [
    ("home_repair", "楼道灯坏了", "楼道声控灯坏了一个多星期，晚上上下楼看不清，老人容易摔倒。"),
    ("home_repair", "厨房水管漏水", "厨房水槽下面的水管接头一直滴水，自己不会修。"),
    ("home_repair", "家里电路老是跳闸", "一开热水器就跳闸，想请懂电的党员帮忙看看线路。"),
    ("elderly_care", "独居老人需要送餐", "老人八十多岁独自居住，腿脚不便，希望中午有人帮忙送一份午餐。"),
    ("elderly_care", "高龄老人需要陪同就医", "老人要去市第一医院复查，子女在外地，需要有人陪同挂号取药。"),
    ("elderly_care", "帮忙代购米面油", "老人行动不便，想请人帮忙买些米面油送上楼。"),
    ("health", "慢性病老人需要上门测血压", "老人有高血压，希望每周有人上门量一次血压。"),
    ("tutoring", "孩子作业辅导", "孩子读小学四年级，父母上夜班，希望有人晚上帮忙辅导数学作业。"),
    ("family_education", "青春期孩子沟通难", "孩子上初二，最近不愿意和家长说话，想请老师指点沟通方法。"),
    ("jobs", "失业人员求职指导", "去年厂里裁员后一直没找到工作，想了解招聘信息和技能培训。"),
    ("business", "个体户咨询办税流程", "刚开了一家小吃店，不清楚怎么申报纳税。"),
    ("mediation", "楼上漏水引发邻里纠纷", "楼上卫生间漏水渗到我家天花板，协商几次没有结果。"),
    ("mediation", "夜间噪音扰民需要调解", "隔壁经常深夜唱歌，沟通无效，希望社区帮忙调解。"),
    ("legal_aid", "咨询赡养费纠纷法律问题", "子女不给赡养费，想咨询怎么维护自己的权益。"),
    ("policy_outreach", "想了解城乡居民医保新政策", "今年医保缴费标准变了，想请人讲讲怎么报销。"),
    ("culture_events", "广场舞队需要指导老师", "小区广场舞队二十多人，想请懂舞蹈的党员来指导。"),
]
COMMUNITY_WIDE = [
    ("parking", "小区停车难", "晚上车位不够，车辆乱停堵住消防通道，希望协调周边单位错时共享车位。"),
    ("congestion", "学校门口上下学拥堵", "放学时段校门口车辆拥堵，希望有志愿者帮忙疏导交通。"),
    ("environment", "绿化带垃圾需要清理", "小区东侧绿化带堆了很多建筑垃圾和杂物，影响环境。"),
    ("safety", "电动车楼道充电有隐患", "有住户把电动车推进楼道充电，存在火灾隐患，需要宣传劝导。"),
    ("civility", "楼道堆放杂物需要劝导", "楼道里堆满了纸箱和旧家具，消防通道被堵。"),
]
# (item code, title, description, budget in yuan) of micro-wishes (微心愿)
WISHES = [
    ("tutoring", "想要一套新课本", "孩子的课本旧了，想要一套新学期的课本和练习册。", 120),
    ("tutoring", "想要一个新书包", "孩子的书包背带断了，想要一个新书包。", 150),
    ("elderly_care", "希望有一台助听器", "老人听力下降，和家人交流困难。", 300),
    ("elderly_care", "想要一双保暖棉鞋", "冬天快到了，老人想要一双保暖的棉鞋。", 80),
    ("culture_events", "想学书法，需要一套笔墨纸砚", "退休后想学书法，想要一套入门的笔墨纸砚。", 100),
    ("family_education", "留守儿童想要一套绘本", "父母在外打工，孩子想要一套绘本。", 90),
]
DONE_NOTES = {
    "home_repair": "上门检查线路，更换了损坏的配件，试用正常",
    "elderly_care": "上门送餐并陪老人聊天，检查了家中用电安全",
    "health": "上门测量血压并讲解用药注意事项",
    "tutoring": "辅导数学作业两小时，讲解了错题",
    "family_education": "与家长和孩子分别谈心，给出沟通建议",
    "jobs": "介绍了三家企业的招聘岗位，报名了技能培训",
    "business": "讲解了个体户纳税申报流程，协助完成电子税务局注册",
    "mediation": "组织双方当面协商，达成维修和赔偿协议",
    "legal_aid": "解答赡养纠纷的法律规定，协助准备调解材料",
    "policy_outreach": "讲解医保缴费和报销政策，发放宣传资料",
    "culture_events": "指导广场舞队排练新舞蹈",
    "parking": "走访周边单位，协调出夜间共享车位二十个",
    "congestion": "放学时段在校门口疏导交通",
    "environment": "组织清理绿化带垃圾，清运两车",
    "safety": "入户宣传电动车安全充电，清理楼道充电车辆",
    "civility": "逐户劝导，清理楼道杂物",
}
DECLINE_REASONS = [
    "这几天出差在外地，回来后可以帮忙",
    "不太懂这方面，建议找专业的党员",
    "家中老人住院，暂时抽不开身",
    "单位值班，时间冲突",
]
CANCEL_REASONS = ["子女已经回来处理了", "物业已经修好了", "重复发布"]
RATING_COMMENTS = ["很及时，谢谢党员同志！", "服务很耐心", "问题解决了，非常满意", "", "态度很好"]
SCORES = Weighted([5, 4, 3, 2], [60, 30, 8, 2])
# (title, item code, schedule, place, capacity)
POSTS = [
    ("政策宣讲岗", "policy_outreach", "每周六 9:00–11:00", "社区党群服务中心", 6),
    ("四点半课堂辅导岗", "tutoring", "工作日 16:30–18:00", "社区四点半课堂", 3),
    ("助老服务岗", "elderly_care", "每周二、周四 9:00–11:00", "老年人日间照料中心", 5),
    ("矛盾调解岗", "mediation", "每周三 14:30–17:00", "社区调解室", 4),
    ("文明劝导岗", "civility", "工作日 7:30–8:30", "小区出入口", 8),
    ("环境整治岗", "environment", "每月第一个周日 8:00–10:00", "小区公共区域", 10),
    ("平安巡防岗", "safety", "每晚 19:30–21:00", "小区及周边道路", 6),
]
VISIT_NOTES = [
    "上门看望，了解身体状况",
    "帮忙打扫卫生、整理房间",
    "陪同到社区卫生服务站体检",
    "送去米和油，拉家常",
]
REJECT_REASON = "与已确认的服务记录重复"
# (name, cost in points, description)
REWARDS = [
    ("毛巾两条", 25, "纯棉毛巾"),
    ("理发券", 30, "社区爱心理发店使用"),
    ("牙膏套装", 40, ""),
    ("雨伞", 50, ""),
    ("洗衣液", 60, "2kg装"),
    ("保温杯", 80, ""),
    ("大米5kg", 100, "本地优质大米"),
    ("食用油1.8L", 120, ""),
]
# (kind, title, item code or "", low, high, measure); a unit's name picks its own skills first
RESOURCES = [
    (ResourceKind.PEOPLE_HOURS, "党员志愿服务时间", "", 100, 400, "小时"),
    (ResourceKind.FUNDS, "共建帮扶资金", "", 5000, 50000, "元"),
    (ResourceKind.GOODS, "爱心大米", "elderly_care", 50, 200, "袋"),
    (ResourceKind.GOODS, "学习用品礼包", "tutoring", 30, 100, "份"),
    (ResourceKind.VENUE, "党员活动室", "culture_events", 60, 200, "m²"),
    (ResourceKind.SKILLS, "政策宣讲", "policy_outreach", 10, 40, "小时"),
]
OWN_SKILLS = [  # (words in the unit's name, resource)
    (("医院", "卫生", "疾病"), (ResourceKind.SKILLS, "义诊与健康讲座", "health", 10, 40, "小时")),
    (("中学", "小学", "学院", "教育"), (ResourceKind.SKILLS, "课业辅导志愿服务", "tutoring", 20, 80, "小时")),
    (("供电", "电信", "移动", "联通"), (ResourceKind.SKILLS, "电工维修服务", "home_repair", 20, 60, "小时")),
    (("律师", "司法"), (ResourceKind.SKILLS, "法律咨询服务", "legal_aid", 10, 40, "小时")),
    (("人力资源", "人社"), (ResourceKind.SKILLS, "就业政策讲解", "jobs", 8, 24, "小时")),
    (("调解",), (ResourceKind.SKILLS, "矛盾纠纷调解", "mediation", 10, 40, "小时")),
    (("物业", "建设", "水务"), (ResourceKind.SKILLS, "水电维修服务", "home_repair", 20, 60, "小时")),
]
# (title, item code, budget, description, milestones)
PROJECTS = [
    (
        "居家养老服务中心",
        "elderly_care",
        3_800_000,
        "改造闲置厂房4200平方米，建设集日间照料、助餐、康复护理于一体的居家养老服务中心，共建单位出资出力，社区运营。",
        ["选址与方案设计", "装修改造", "设备采购与人员培训", "试运营"],
    ),
    (
        "四点半课堂",
        "tutoring",
        80_000,
        "利用社区活动室开设四点半课堂，共建单位党员轮流辅导双职工家庭孩子的作业。",
        ["场地布置", "招募辅导志愿者", "开课"],
    ),
    (
        "老旧小区停车位改造",
        "parking",
        1_200_000,
        "改造小区闲置空地，新增停车位，并与周边单位签订错时共享停车协议。",
        ["摸底调查", "方案公示", "施工", "验收"],
    ),
    (
        "长者食堂",
        "elderly_care",
        450_000,
        "为辖区60岁以上老人提供平价午餐，高龄、独居老人可送餐上门。",
        ["场地改造", "招标餐饮服务", "开餐"],
    ),
    (
        "社区健康小屋",
        "health",
        150_000,
        "配备血压计、血糖仪等自助检测设备，共建医院定期坐诊。",
        ["设备采购", "医生排班", "开放"],
    ),
    (
        "垃圾分类示范小区",
        "environment",
        200_000,
        "建设分类投放点，党员志愿者定时督导，创建垃圾分类示范小区。",
        ["投放点建设", "入户宣传", "督导上岗"],
    ),
]
PROJECT_STATES = [
    ProjectState.IN_PROGRESS,
    ProjectState.COMPLETED,
    ProjectState.EVALUATED,
    ProjectState.AGREED,
    ProjectState.PROPOSED,
    ProjectState.DROPPED,
]
EVALUATIONS = [
    "居民满意度测评96%，服务覆盖辖区老人近千人次。",
    "按期完工，居民评议满意率93%，纳入年度共建优秀项目。",
]

# What each need of a community goes through (the demo accounts' own needs come on top).
STORIES = [
    "open",
    "open",
    "open_wish",
    "offered",
    "offered_overdue",
    "taken",
    "taken_wish",
    "done",
    "closed",
    "closed_declined",  # offered to somebody who said no first
    "closed",
    "closed_wish",
    "cancelled",
]
SERVING = (CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED)
# Redemptions in turn: most collected, some waiting to be collected, one in ten cancelled.
_COLLECTED, _WAITING = RedemptionState.HANDED_OVER, RedemptionState.PLACED
REDEMPTION_STATES = [_COLLECTED, RedemptionState.CANCELLED, _COLLECTED, _WAITING, _COLLECTED]
REDEMPTION_STATES += [_COLLECTED, _WAITING, _COLLECTED, _COLLECTED, _COLLECTED]


@dataclass
class Server:
    """A member who serves a community: lives there or reports there."""

    pk: int
    name: str
    unit_id: int | None
    compound_id: int | None
    building_id: int | None
    skills: str
    user: object = None


@dataclass
class Household:
    pk: int
    name: str
    compound_id: int | None
    building_id: int | None
    note: str
    user: object = None


def seed_service(dice: Dice, layout: CityLayout, users: dict, *, out: Callable[[str], None] = print) -> None:
    """The service loop of the demo city (in its build's transaction)."""
    with translation.override("zh-hans"):  # notes and messages are stored as the actions would write them
        seeder = _Seeder(dice, layout, users)
        seeder.resources()
        for n, place in enumerate(layout.communities):
            seeder.community(n, place)
        seeder.write()
        seeder.redemptions()
        seeder.live_business()
    c = seeder.counts
    out(
        f"  {c['needs']:,} needs and wishes, {c['posts']} service posts, {c['records']:,} service records "
        f"({c['confirmed']:,} confirmed), {c['resources']} resources, {c['projects']} projects, "
        f"{c['entries']:,} points entries, {c['redemptions']} redemptions"
    )


class _Seeder:
    def __init__(self, dice: Dice, layout: CityLayout, users: dict) -> None:
        self.d, self.layout, self.users = dice, layout, users
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = layout.today
        self.home = layout.communities[0]
        self.counts: dict[str, int] = defaultdict(int)
        self.categories = {c.code: c for c in ServiceCategory.objects.filter(city__isnull=True).items()}
        self.rules = {}
        ids = [c.area.pk for c in layout.communities]
        self.demo_member = Member.objects.get(user=users["member"])
        self.demo_resident = Resident.objects.get(user=users["resident"])
        self.servers: dict[int, list[Server]] = defaultdict(list)
        seen: set[tuple[int, int]] = set()
        rows = Member.objects.filter(residence_area_id__in=ids).order_by("pk")
        for pk, name, area, unit, compound, building, skills in rows.values_list(
            "pk",
            "name",
            "residence_area_id",
            "unit_id",
            "residence_compound_id",
            "residence_building_id",
            "skills",
        ):
            self.servers[area].append(Server(pk, name, unit, compound, building, skills))
            seen.add((pk, area))
        checkins = CheckIn.objects.filter(state__in=SERVING, community_id__in=ids).order_by("pk")
        for pk, name, area, unit, skills in checkins.values_list(
            "member_id", "member__name", "community_id", "member__unit_id", "skills"
        ):
            if (pk, area) not in seen:
                self.servers[area].append(Server(pk, name, unit, None, None, skills))
        self.names = {s.pk: s.name for servers in self.servers.values() for s in servers}
        for servers in self.servers.values():
            for s in servers:
                if s.pk == self.demo_member.pk:
                    s.user = users["member"]
        self.households: dict[int, list[Household]] = defaultdict(list)
        for pk, area, name, compound, building, note in (
            Resident.objects.filter(residence_area_id__in=ids)
            .order_by("pk")
            .values_list(
                "pk",
                "residence_area_id",
                "name",
                "residence_compound_id",
                "residence_building_id",
                "household_note",
            )
        ):
            user = users["resident"] if pk == self.demo_resident.pk else None
            self.households[area].append(Household(pk, name, compound, building, note, user))
        self.cells = {  # building → its grid cell (id, path)
            building: (grid, path)
            for building, grid, path in Grid.objects.filter(buildings__compound__community_id__in=ids)
            .values_list("buildings__pk", "pk", "path")
            .distinct()
        }
        self.paths = {c.area.pk: c.area.path for c in layout.communities}
        self.teams: dict[int, list[Team]] = defaultdict(list)
        for team in Team.objects.filter(community_id__in=ids).order_by("pk"):
            self.teams[team.community_id].append(team)
        self.team_members: dict[int, list[int]] = defaultdict(list)
        for team_id, member_id in TeamMembership.objects.filter(team__community_id__in=ids).values_list(
            "team_id", "member_id"
        ):
            self.team_members[team_id].append(member_id)
        units = {p.unit.pk: p.unit for p in layout.units}
        self.tied: dict[int, list[Unit]] = defaultdict(list)  # units paired with or located in a community
        for unit_id, area in (
            UnitPairing.objects.active_on(self.today).filter(community_id__in=ids).order_by("pk")
        ).values_list("unit_id", "community_id"):
            self.tied[area].append(units[unit_id])
        for place in layout.units:
            if place.unit.address_area_id in ids and place.unit not in self.tied[place.unit.address_area_id]:
                self.tied[place.unit.address_area_id].append(place.unit)
        self.busy: dict[int, set[date]] = defaultdict(set)  # a member's days of service
        self._skilled: dict[tuple[int, str], list[Server]] = {}
        self.unit_resources: dict[int, list[Resource]] = defaultdict(list)
        self.left: dict[int, Decimal] = {}  # what is left of each resource to commit (by id())
        # what gets written, in dependency order
        self.resource_rows: list[Resource] = []
        self.needs: list[Need] = []
        self.assignments: list[Assignment] = []
        self.need_events: list[NeedEvent] = []
        self.posts: list[ServicePost] = []
        self.claims: list[PostClaim] = []
        self.pairings: list[HouseholdPairing] = []
        self.visits: list[PairingVisit] = []
        self.projects: list[Project] = []
        self.project_rows: list = []  # ProjectUnit, ProjectCommitment, Milestone, ProjectEvent
        self.records: list[ServiceRecord] = []
        self.record_events: list[ServiceRecordEvent] = []
        self.ratings: list[Rating] = []
        self.rewards: dict[int, list[Reward]] = {}
        self.entries: list[PointEntry] = []

    # --- helpers ----------------------------------------------------------------------------------

    def actor(self, place: CommunityPlace):
        """Who acts for the community: the community account at home, nobody named elsewhere."""
        return self.users["community"] if place is self.home else None

    def grid_user(self, place: CommunityPlace):
        return self.users["grid"] if place.street.pk == self.layout.streets[0].pk else None

    def local_day(self, moment: datetime) -> date:
        return timezone.localtime(moment).date()

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def on(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def slot(self, member_id: int, after: datetime, before: datetime, minutes: int) -> datetime | None:
        """A start for a member's service in (after, before], on a day they serve nothing else. The
        dice are rolled the same number of times whatever the outcome, so the rest of the city does not
        depend on the hour of the build."""
        before = min(before, self.now - timedelta(minutes=30))
        first = timezone.localtime(after).date()
        span = max((timezone.localtime(before).date() - first).days, 0)
        tries = [
            (
                first + timedelta(days=self.d.between(0, span)),
                self.d.between(8, 17),
                self.d.pick((0, 15, 30, 45)),
            )
            for _ in range(8)
        ]
        for day, hour, minute in tries:
            start = self.on(day, hour, minute)
            if day in self.busy[member_id] or start <= after or start + timedelta(minutes=minutes) > before:
                continue
            self.busy[member_id].add(day)
            return start
        return None

    def skilled(self, place: CommunityPlace, code: str) -> list[Server]:
        """Who serves the community with skills the item asks for (the member account aside)."""
        key = (place.area.pk, code)
        if key not in self._skilled:
            words = self.categories[code].keyword_list()
            self._skilled[key] = [
                s
                for s in self.servers[place.area.pk]
                if s.pk != self.demo_member.pk and any(w in s.skills for w in words)
            ]
        return self._skilled[key]

    def pick_server(self, place: CommunityPlace, code: str, avoid=()) -> Server | None:
        """Somebody with the skills when there is one (a secretary asks them first), else anybody."""
        pool = [s for s in self.skilled(place, code) if s.pk not in avoid]
        if not pool or self.d.chance(0.25):
            pool = [
                s for s in self.servers[place.area.pk] if s.pk != self.demo_member.pk and s.pk not in avoid
            ]
        return self.d.pick(pool) if pool else None

    # --- resources --------------------------------------------------------------------------------

    def resources(self) -> None:
        """Half the units list what they offer; the demo unit offers one of each kind, the first to its
        community."""
        offered_to: dict[int, list] = defaultdict(list)
        for area, units in self.tied.items():
            for unit in units:
                offered_to[unit.pk].append(area)
        for place in self.layout.units:
            unit = place.unit
            demo = place is self.layout.demo_unit
            if unit.kind == UnitKind.DEPARTMENT or not (demo or self.d.chance(0.5)):
                continue
            own = [r for words, r in OWN_SKILLS if any(w in unit.name for w in words)]
            if demo:  # the unit account shows every kind: its own skill first, offered to its community
                specs = [(own or RESOURCES[5:])[0], *RESOURCES[:3], RESOURCES[4]]
            else:
                specs = (own + self.d.sample(RESOURCES, 3))[: self.d.between(1, 3)]
            for n, (kind, title, code, low, high, measure) in enumerate(specs):
                community = None
                if (demo and n == 0) or (offered_to[unit.pk] and self.d.chance(0.3)):
                    community = self.home.area.pk if demo else self.d.pick(offered_to[unit.pk])
                start = self.today - timedelta(days=self.d.between(10, 300))
                until = None if self.d.chance(0.7) else self.today + timedelta(days=self.d.between(30, 365))
                quantity = self.d.between(low, high)
                resource = Resource(
                    unit=unit,
                    kind=kind,
                    title=title,
                    category=self.categories.get(code),
                    quantity=Decimal(quantity - quantity % 100 if quantity > 1000 else quantity),
                    measure=measure,
                    available_from=start,
                    available_until=until,
                    community_id=community,
                    community_path=self.paths.get(community, ""),
                    note="",
                    created_at=self.on(start, 10),
                    withdrawn_at=self.at(self.d.between(1, 9)) if not demo and self.d.chance(0.05) else None,
                )
                self.resource_rows.append(resource)
                self.unit_resources[unit.pk].append(resource)
                self.left[id(resource)] = resource.quantity

    # --- one community ----------------------------------------------------------------------------

    def community(self, n: int, place: CommunityPlace) -> None:
        self.catalogue(place)
        self.service_posts(place)
        stories = list(STORIES)
        if place is self.home:  # the resident account's own history: a need served, confirmed, rated
            stories[stories.index("closed")] = "closed_mine"
            stories[stories.index("open")] = "open_parking"  # and the board's standing worry
        for story in stories:
            self.need(place, story)
        self.household_pairings(place)
        # states in turn over the communities that have units to work with, so every state shows
        self.project(
            place, PROJECT_STATES[self.counts["projects"] % len(PROJECT_STATES)], PROJECTS[n % len(PROJECTS)]
        )
        if place is self.home:
            self.project(place, ProjectState.EVALUATED, PROJECTS[1])
        self.odd_records(place)

    def catalogue(self, place: CommunityPlace) -> None:
        chosen = set(self.d.sample(REWARDS, 5) + ([REWARDS[1]] if place is self.home else []))
        self.rewards[place.area.pk] = [
            Reward(
                area=place.area,
                area_path=place.area.path,
                name=name,
                cost=cost,
                stock=self.d.between(10, 40),
                description=description,
                created_at=self.at(self.d.between(150, 300)),
            )
            for name, cost, description in sorted(chosen, key=lambda r: r[1])
        ]

    def service_posts(self, place: CommunityPlace) -> None:
        """Three standing posts; the first one is full. At home the member account holds the outreach post."""
        home = place is self.home
        specs = POSTS[:3] if home else [POSTS[1], *self.d.sample(POSTS[2:], 2)]
        for k, (title, code, schedule, where, capacity) in enumerate(specs):
            if home and k == 0:
                capacity = 6
            created = self.at(self.d.between(120, 300))
            post = ServicePost(
                community=place.area,
                community_path=place.area.path,
                title=title,
                category=self.categories[code],
                description=f"{place.area.name}{title}，欢迎在职党员认领。",
                schedule=schedule,
                place=where,
                capacity=capacity,
                starts_on=timezone.localtime(created).date(),
                published_by=self.actor(place),
                created_at=created,
            )
            self.posts.append(post)
            pool = [s for s in self.servers[place.area.pk] if s.pk != self.demo_member.pk]
            holders = self.d.sample(
                pool, min(len(pool), capacity if k == (1 if home else 0) else self.d.between(1, capacity - 1))
            )
            if home and k == 0:
                holders = [s for s in self.servers[place.area.pk] if s.pk == self.demo_member.pk] + holders[
                    :2
                ]
            for holder in holders:
                claimed = created + timedelta(days=self.d.between(1, 60))
                left = None
                if holder.user is None and self.d.chance(0.12) and k != (1 if home else 0):
                    left = claimed + timedelta(days=self.d.between(20, 90))
                    left = left if left < self.now else None
                self.claims.append(
                    PostClaim(
                        post=post,
                        member_id=holder.pk,
                        claimed_at=claimed,
                        left_at=left,
                        claimed_by=holder.user,
                    )
                )
                sessions = 5 if holder.user is not None else self.d.between(0, 3)
                for _ in range(sessions):
                    start = self.slot(holder.pk, max(claimed, self.at(110)), left or self.at(5), 120)
                    if start is not None:
                        self.record(
                            place,
                            holder,
                            post.category,
                            start,
                            120,
                            f"{title}值守：{DONE_NOTES[code]}",
                            post=post,
                            via=ConfirmedVia.COMMUNITY,
                            confirmer=self.actor(place),
                        )
            self.counts["posts"] += 1

    # --- needs ------------------------------------------------------------------------------------

    def need(self, place: CommunityPlace, story: str) -> None:
        d = self.d
        wish = story.endswith("_wish")
        households = self.households[place.area.pk]
        who: Household | None = None
        budget = None
        if story == "closed_mine":
            who = next((h for h in households if h.user is not None), None)
            code, title, text = NEEDS[0]
        elif story == "open_parking":
            code, title, text = COMMUNITY_WIDE[0]
        elif wish:
            code, title, text, budget = d.pick(WISHES)
        elif d.chance(0.25):
            code, title, text = d.pick(COMMUNITY_WIDE)
        else:
            code, title, text = d.pick(NEEDS)
        if code not in {c for c, *_ in COMMUNITY_WIDE} and households and who is None:
            who = self.beneficiary(place, code, households, near_skills=story.startswith("open"))
        category = self.categories[code]
        building = who.building_id if who else None
        posted = {
            "open": d.between(2, 70) / 24,
            "offered": 1 + d.between(0, 6) / 24,
            "offered_overdue": 3 + d.between(0, 12) / 24,
            "taken": d.between(3, 6),
            "done": d.between(5, 10),
            "cancelled": d.between(5, 60),
        }.get(_base(story), d.between(12, 150))
        created = self.at(posted)
        if who is not None and (who.user is not None or d.chance(0.6)):
            posted_as, posted_by = PostedAs.RESIDENT, who.user
        elif self.grid_user(place) is not None or d.chance(0.5):
            posted_as, posted_by = PostedAs.GRID_WORKER, self.grid_user(place)
        else:
            posted_as, posted_by = PostedAs.COMMUNITY, self.actor(place)
        urgent = not wish and d.chance(0.2)
        need = Need(
            kind=NeedKind.WISH if wish else NeedKind.NEED,
            title=title,
            description=text,
            category=category,
            community=place.area,
            community_path=place.area.path,
            compound_id=who.compound_id if who else None,
            building_id=building,
            urgency=Urgency.URGENT if urgent else (Urgency.LOW if wish else Urgency.NORMAL),
            budget=Decimal(budget) if budget else None,
            due_at=created + timedelta(days=d.between(2, 10)) if urgent or d.chance(0.2) else None,
            beneficiary_resident_id=who.pk if who else None,
            beneficiary_name=who.name if who else "",
            beneficiary_address=self.address(place, who),
            posted_by=posted_by,
            posted_as=posted_as,
            created_at=created,
        )
        if posted_as != PostedAs.RESIDENT and building in self.cells:  # as post_need: the building's cell
            need.grid_id, need.grid_path = self.cells[building]
        self.needs.append(need)
        self.counts["needs"] += 1
        chain = _Chain(self, need)
        chain.step("post", NeedState.OPEN, created)
        base = _base(story)
        if base == "open":
            return
        community_side = self.actor(place)
        t = created + timedelta(hours=d.between(2, 20))
        if base in ("offered", "offered_overdue"):
            t = (
                self.at(d.between(30, 60) / 24)
                if base == "offered_overdue"
                else self.at(d.between(2, 20) / 24)
            )
            # the community asks a team: the one of the item's focus, else any with members
            teams = [x for x in self.teams[place.area.pk] if self.team_members[x.pk]]
            team = next((x for x in teams if x.vanguard_kind == category.vanguard_kind), None)
            team = team or (teams[0] if teams else None)
            if base == "offered" and team is not None:
                chain.offer(t, community_side, team=team)
            elif (server := self.pick_server(place, code)) is not None:
                chain.offer(t, community_side, member_id=server.pk)
            return
        if base == "taken" and wish and self.tied[place.area.pk]:
            unit = d.pick(self.tied[place.area.pk])
            chain.take(t, self.users["unit"] if unit.pk == self.layout.demo_unit.unit.pk else None, unit=unit)
            return
        declined: list[int] = []
        if (story.endswith("_declined") or d.chance(0.25)) and (first := self.pick_server(place, code)):
            chain.offer(t, community_side, member_id=first.pk)
            t += timedelta(hours=d.between(1, 12))
            chain.decline(t, d.pick(DECLINE_REASONS))
            declined.append(first.pk)
            t += timedelta(hours=d.between(1, 6))
        server = self.pick_server(place, code, avoid=declined)
        if server is None:
            return
        if base == "cancelled":  # called off while offered: the offer is withdrawn with it
            chain.offer(t, community_side, member_id=server.pk)
            chain.cancel(
                t + timedelta(hours=d.between(2, 30)), posted_by or community_side, d.pick(CANCEL_REASONS)
            )
            return
        if d.chance(0.3):
            chain.take(t, server.user, member_id=server.pk)
        else:
            chain.offer(t, community_side, member_id=server.pk)
            t += timedelta(hours=d.between(1, 10))
            chain.accept(t, server.user)
        if base == "taken":
            return
        minutes = d.pick((60, 90, 120, 150))
        latest = self.at(1) if base == "done" else t + timedelta(days=5)
        start = self.slot(server.pk, t, latest, minutes)
        if start is None:
            return
        mine = who is not None and who.user is not None
        via = (
            ConfirmedVia.BENEFICIARY
            if mine
            else (ConfirmedVia.CODE if who and d.chance(0.7) else ConfirmedVia.COMMUNITY)
        )
        confirmer = who.user if mine else (None if via == ConfirmedVia.CODE else community_side)
        record = self.record(
            place,
            server,
            category,
            start,
            minutes,
            DONE_NOTES[code],
            need=need,
            beneficiary=who,
            via=None if base == "done" else via,
            confirmer=confirmer,
            rate=who is not None,
        )
        chain.serve(record.created_at, server.user)
        if base == "closed":
            chain.close(record.confirmed_at, confirmer)

    def beneficiary(self, place, code: str, households: list[Household], *, near_skills: bool) -> Household:
        """A resident; for new needs, one living near somebody with the skills (the board's suggestions
        then have something to say)."""
        if near_skills:
            homes = {s.building_id for s in self.skilled(place, code) if s.building_id}
            near = [h for h in households if h.building_id in homes and h.user is None]
            if near:
                return self.d.pick(near)
        return self.d.pick([h for h in households if h.user is None] or households)

    def address(self, place: CommunityPlace, who: Household | None) -> str:
        if who is None or who.building_id is None:
            return ""
        for home in place.homes:
            for b in home.buildings:
                if b.pk == who.building_id:
                    return f"{home.compound.name}{b.name}{self.d.between(1, 6)}0{self.d.between(1, 4)}室"
        return ""

    # --- records ----------------------------------------------------------------------------------

    def record(
        self,
        place: CommunityPlace,
        server: Server,
        category: ServiceCategory,
        start: datetime,
        minutes: int,
        description: str,
        *,
        need: Need | None = None,
        post: ServicePost | None = None,
        pairing: HouseholdPairing | None = None,
        project: Project | None = None,
        beneficiary: Household | None = None,
        via: str | None = ConfirmedVia.COMMUNITY,
        confirmer=None,
        rate: bool = False,
        flags: tuple[str, ...] = (),
        logged_after: datetime | None = None,
    ) -> ServiceRecord:
        """A record logged within a day of the service; confirmed (``via``) within two more, or pending."""
        end = start + timedelta(minutes=minutes)
        logged = end + timedelta(hours=self.d.between(0, 20))
        if logged_after is not None:
            logged = max(logged, logged_after + timedelta(hours=1))
        logged = min(logged, self.now - timedelta(minutes=20))
        record = ServiceRecord(
            member_id=server.pk,
            unit_id=server.unit_id,
            community=place.area,
            community_path=place.area.path,
            category=category,
            need=need,
            post=post,
            pairing=pairing,
            project=project,
            started_at=start,
            minutes=minutes,
            description=description,
            beneficiary_resident_id=beneficiary.pk if beneficiary else None,
            beneficiary_name=beneficiary.name if beneficiary else "",
            state=RecordState.FLAGGED if flags else RecordState.SUBMITTED,
            flags=[str(f) for f in flags],
            logged_by=server.user,
            created_at=logged,
        )
        self.events_of(record, "", "log", logged, server.user, reason=",".join(flags))
        if via is not None and not flags:
            confirmed = min(logged + timedelta(hours=self.d.between(1, 48)), self.now - timedelta(minutes=10))
            record.state, record.confirmed_at = RecordState.CONFIRMED, confirmed
            record.confirmed_by, record.confirmed_via = confirmer, via
            if via == ConfirmedVia.CODE:
                record.code_used_at = confirmed
            self.events_of(record, RecordState.SUBMITTED, "confirm", confirmed, confirmer, via=via)
            if rate and via in (ConfirmedVia.CODE, ConfirmedVia.BENEFICIARY) and self.d.chance(0.75):
                self.ratings.append(
                    Rating(
                        record=record,
                        score=SCORES.draw(self.d),
                        comment=self.d.pick(RATING_COMMENTS),
                        rated_by=confirmer,
                        created_at=confirmed,
                    )
                )
            self.counts["confirmed"] += 1
        self.records.append(record)
        self.counts["records"] += 1
        return record

    def events_of(self, record, previous, action, at, actor, *, reason="", via="") -> None:
        to = {"log": record.state, "confirm": RecordState.CONFIRMED, "reject": RecordState.REJECTED}[action]
        self.record_events.append(
            ServiceRecordEvent(
                record=record,
                from_state=previous,
                to_state=to,
                action=action,
                actor=actor,
                at=at,
                reason=reason,
                via=via,
            )
        )

    def odd_records(self, place: CommunityPlace) -> None:
        """What the community reviews: a record overlapping a confirmed one (flagged), a duplicate it
        rejected, and fresh ones waiting for confirmation."""
        pool = [s for s in self.servers[place.area.pk] if s.user is None]
        if not pool:
            return
        post = next(p for p in reversed(self.posts) if p.community_id == place.area.pk)
        for kind in ("flagged", "rejected", "pending", "pending"):
            server = self.d.pick(pool)
            if kind == "pending":
                start = self.slot(server.pk, self.at(4), self.now, 90)
                if start is not None:
                    self.record(
                        place,
                        server,
                        post.category,
                        start,
                        90,
                        DONE_NOTES[post.category.code],
                        post=post,
                        via=None,
                    )
                continue
            start = self.slot(server.pk, self.at(20), self.at(3), 120)
            if start is None:
                continue
            first = self.record(
                place,
                server,
                post.category,
                start,
                120,
                DONE_NOTES[post.category.code],
                post=post,
                confirmer=self.actor(place),
            )
            again = start + timedelta(minutes=60) if kind == "flagged" else start
            odd = self.record(
                place,
                server,
                post.category,
                again,
                120,
                first.description,
                post=post,
                via=None,
                flags=(Flag.OVERLAP,),
                logged_after=first.created_at,
            )
            if kind == "rejected":
                rejected = odd.created_at + timedelta(hours=self.d.between(2, 30))
                odd.state, odd.reject_reason = RecordState.REJECTED, REJECT_REASON
                self.events_of(
                    odd,
                    RecordState.FLAGGED,
                    "reject",
                    min(rejected, self.now),
                    self.actor(place),
                    reason=REJECT_REASON,
                )

    # --- pairings and projects --------------------------------------------------------------------

    def household_pairings(self, place: CommunityPlace) -> None:
        """A member paired with a household in need, visiting monthly; a unit paired with another."""
        households = [h for h in self.households[place.area.pk] if h.user is None]
        if not households:
            return
        needy = [h for h in households if h.note] or households
        home = place is self.home
        helper = next((s for s in self.servers[place.area.pk] if s.user is not None), None) if home else None
        helper = helper or self.pick_server(place, "elderly_care")
        helpers = [("member", helper, self.d.pick(needy))]
        if self.tied[place.area.pk] and len(households) > 1:
            helpers.append(("unit", self.d.pick(self.tied[place.area.pk]), self.d.pick(households)))
        for kind, who, household in helpers:
            if who is None:
                continue
            started = self.today - timedelta(days=self.d.between(100, 400))
            pairing = HouseholdPairing(
                member_id=who.pk if kind == "member" else None,
                unit=who if kind == "unit" else None,
                household_id=household.pk,
                community=place.area,
                community_path=place.area.path,
                reason=household.note or "需要关爱的家庭",
                started_on=started,
                created_by=self.actor(place),
            )
            self.pairings.append(pairing)
            for month in (3, 2, 1):
                visited = self.today - timedelta(days=30 * month - self.d.between(0, 10))
                record = None
                if kind == "member" and month > 1:
                    start = self.slot(who.pk, self.on(visited, 0), self.on(visited, 22), 60)
                    if start is not None:
                        record = self.record(
                            place,
                            who,
                            self.categories["elderly_care"],
                            start,
                            60,
                            "结对走访：" + VISIT_NOTES[month],
                            pairing=pairing,
                            beneficiary=household,
                            via=ConfirmedVia.CODE,
                            rate=True,
                        )
                logger = (
                    self.users["unit"]
                    if kind == "unit" and who.pk == self.layout.demo_unit.unit.pk
                    else getattr(who, "user", None)
                )
                self.visits.append(
                    PairingVisit(
                        pairing=pairing,
                        visited_on=visited,
                        note=self.d.pick(VISIT_NOTES),
                        logged_by=logger,
                        logged_at=self.on(visited, 20),
                        record=record,
                    )
                )

    def project(self, place: CommunityPlace, state: str, spec) -> None:
        """A co-building project with one or two units, as far as its state has come: proposed with its
        units, agreed with their commitments and milestones, started, milestones done, completed with
        the people served, evaluated (or dropped with a reason), each step an event as the actions in
        service/unit_actions.py write them."""
        title, code, budget, description, milestones = spec
        # the community's partners; failing those, units of its street the community brings in
        others = [u for u in self.layout.units if u.unit.kind != UnitKind.DEPARTMENT]
        tied = self.tied[place.area.pk] or [u.unit for u in others if u.street_id == place.street.pk]
        if not tied:
            return
        home = place is self.home
        units = (
            [self.layout.demo_unit.unit]
            if home
            else self.d.sample(tied, min(len(tied), self.d.between(1, 2)))
        )
        path = [ProjectState.PROPOSED]
        for nxt in (
            ProjectState.AGREED,
            ProjectState.IN_PROGRESS,
            ProjectState.COMPLETED,
            ProjectState.EVALUATED,
        ):
            if state in (ProjectState.PROPOSED, ProjectState.DROPPED) or path[-1] == state:
                break
            path.append(nxt)
        if state == ProjectState.DROPPED:
            path.append(ProjectState.DROPPED)
        created = self.at(
            self.d.between(60, 400) if state != ProjectState.PROPOSED else self.d.between(3, 30)
        )
        steps = [created]
        for _ in path[1:]:
            steps.append(min(steps[-1] + timedelta(days=self.d.between(10, 90)), self.at(1)))
        reached = dict(zip(path, steps, strict=True))
        started = (
            self.local_day(reached[ProjectState.IN_PROGRESS]) if ProjectState.IN_PROGRESS in reached else None
        )
        finished = reached.get(ProjectState.COMPLETED)
        project = Project(
            community=place.area,
            community_path=place.area.path,
            title=f"{place.area.name}{title}",
            description=description,
            category=self.categories[code],
            state=state,
            budget=Decimal(budget),
            starts_on=started,
            ends_on=self.local_day(finished)
            if finished
            else (started + timedelta(days=365) if started else None),
            beneficiaries_served=self.d.between(200, 2000) if finished else 0,
            evaluation=self.d.pick(EVALUATIONS) if state == ProjectState.EVALUATED else "",
            proposed_by=self.actor(place),
            created_at=created,
        )
        self.projects.append(project)
        self.counts["projects"] += 1
        actor = self.actor(place)
        events: list[tuple] = []  # (at, action, state, actor, reason)
        moves = {
            ProjectState.AGREED: "agree",
            ProjectState.IN_PROGRESS: "start",
            ProjectState.COMPLETED: "complete",
            ProjectState.EVALUATED: "evaluate",
            ProjectState.DROPPED: "drop",
        }
        for to, at in reached.items():
            reason = "共建单位资金未落实，暂缓实施" if to == ProjectState.DROPPED else ""
            events.append((at, moves.get(to, "propose"), to, actor, reason))
        agreed = reached.get(ProjectState.AGREED)
        for unit in units:
            self.project_rows.append(
                ProjectUnit(project=project, unit=unit, joined_at=created + timedelta(hours=1))
            )
            events.append((created + timedelta(hours=1), "add_unit", ProjectState.PROPOSED, actor, unit.name))
            if agreed is not None:
                self.commit(project, unit, agreed + timedelta(hours=2), events)
        if agreed is not None:
            end = finished or self.now
            for k, name in enumerate(milestones):
                self.project_rows.append(
                    milestone := Milestone(
                        project=project,
                        title=name,
                        due_on=(started or self.today) + timedelta(days=60 * (k + 1)),
                    )
                )
                events.append(
                    (agreed + timedelta(hours=3), "add_milestone", ProjectState.AGREED, actor, name)
                )
                if started is not None and (finished or k < len(milestones) // 2):
                    span = max((self.local_day(end) - started).days, 1)
                    milestone.done_on = started + timedelta(days=span * (k + 1) // (len(milestones) + 1))
                    events.append(
                        (
                            self.on(milestone.done_on, 18),
                            "complete_milestone",
                            ProjectState.IN_PROGRESS,
                            actor,
                            name,
                        )
                    )
            if started is not None:
                members = [
                    s
                    for s in self.servers[place.area.pk]
                    if s.unit_id in {u.pk for u in units} and s.user is None
                ]
                for server in members[:2]:
                    start = self.slot(server.pk, max(self.on(started, 0), self.at(60)), end, 180)
                    if start is not None:
                        self.record(
                            place,
                            server,
                            project.category,
                            start,
                            180,
                            f"参加{project.title}志愿服务",
                            project=project,
                            confirmer=actor,
                        )
        state_at = ProjectState.PROPOSED
        for at, action, to, who, reason in sorted(events, key=lambda e: e[0]):
            previous, state_at = (
                state_at,
                (to if action in moves.values() or action == "propose" else state_at),
            )
            self.project_rows.append(
                ProjectEvent(
                    project=project,
                    from_state="" if action == "propose" else previous,
                    to_state=state_at,
                    action=action,
                    actor=who,
                    at=min(at, self.now - timedelta(minutes=5)),
                    reason=reason,
                )
            )
        if state == ProjectState.EVALUATED:
            for _ in range(self.d.between(3, 6)):
                self.ratings.append(
                    Rating(project=project, score=SCORES.draw(self.d), comment="", created_at=reached[state])
                )

    def commit(self, project: Project, unit, at: datetime, events: list) -> None:
        """What a unit commits once the project is agreed: part of a resource it offers to any community
        or to this one, never more than is left of it; else a contribution in words."""
        resource = next(
            (
                r
                for r in self.unit_resources.get(unit.pk, [])
                if r.withdrawn_at is None
                and (r.available_until is None or r.available_until >= self.today)
                and r.community_id in (None, project.community_id)
                and self.left[id(r)] >= 1
            ),
            None,
        )
        if resource is not None:
            quantity = Decimal(self.d.between(1, int(self.left[id(resource)])))
            self.left[id(resource)] -= quantity
            commitment = ProjectCommitment(
                project=project,
                unit=unit,
                resource=resource,
                description=resource.title,
                quantity=quantity,
                measure=resource.measure,
            )
        else:
            quantity = Decimal(int(project.budget) // 4)
            commitment = ProjectCommitment(
                project=project, unit=unit, description="共建资金", quantity=quantity, measure="元"
            )
        demo = unit.pk == self.layout.demo_unit.unit.pk
        commitment.committed_at, commitment.committed_by = at, self.users["unit"] if demo else None
        self.project_rows.append(commitment)
        what = f"{unit.name}: {commitment.description} {quantity} {commitment.measure}"
        events.append((at, "commit", ProjectState.AGREED, self.users["unit"] if demo else None, what))

    # --- writing ----------------------------------------------------------------------------------

    def write(self) -> None:
        """Everything bulk-created in dependency order, then the points of the confirmed records."""
        Resource.objects.bulk_create(self.resource_rows)
        Need.objects.bulk_create(self.needs)
        Assignment.objects.bulk_create(self.assignments)
        NeedEvent.objects.bulk_create(self.need_events)
        ServicePost.objects.bulk_create(self.posts)
        PostClaim.objects.bulk_create(self.claims)
        HouseholdPairing.objects.bulk_create(self.pairings)
        Project.objects.bulk_create(self.projects)
        for model in (ProjectUnit, ProjectCommitment, Milestone, ProjectEvent):
            model.objects.bulk_create([row for row in self.project_rows if isinstance(row, model)])
        ServiceRecord.objects.bulk_create(self.records)
        ServiceRecordEvent.objects.bulk_create(self.record_events)
        PairingVisit.objects.bulk_create(self.visits)
        Rating.objects.bulk_create(self.ratings)
        Reward.objects.bulk_create([r for rewards in self.rewards.values() for r in rewards])
        self.counts["resources"] = len(self.resource_rows)
        booked: dict[tuple[int, date], int] = defaultdict(int)
        for record in sorted(
            (r for r in self.records if r.state == RecordState.CONFIRMED),
            key=lambda r: (r.confirmed_at, r.pk),
        ):
            self.entries.extend(self.book(record, booked))
        PointEntry.objects.bulk_create(self.entries)
        self.counts["entries"] += len(self.entries)

    def book(self, record: ServiceRecord, booked: dict) -> list[PointEntry]:
        """What points.actions.book_service_points books (the same quote and split_points, so the two
        cannot drift), unsaved and dated when the record was confirmed. ``booked``: points booked so
        far per (member, day), kept up to date here."""
        if record.category_id not in self.rules:
            self.rules[record.category_id] = rule_for(record.category)
        served_on = timezone.localtime(record.started_at).date()
        key = (record.member_id, served_on)
        parts = split_points(quote(record, rule=self.rules[record.category_id]), booked[key], record.minutes)
        booked[key] += sum(part.amount for part in parts)
        return [
            PointEntry(
                kind=part.kind,
                amount=part.amount,
                minutes=part.minutes,
                note=part.note,
                member_id=record.member_id,
                community_id=record.community_id,
                community_path=record.community_path,
                unit_id=record.unit_id,
                record=record,
                served_on=served_on,
                created_by=record.confirmed_by,
                created_at=record.confirmed_at,
            )
            for part in parts
        ]

    def redemptions(self) -> None:
        """About a third of those with points spend some at their community's supermarket: most
        collected, some still to collect, a few cancelled (the points come back as a reversal). The
        member account has collected one and still has points to spend."""
        earned: dict[int, list[PointEntry]] = defaultdict(list)
        for entry in self.entries:
            earned[entry.member_id].append(entry)
        users = {self.demo_member.pk: self.users["member"]}
        redemptions, entries, reversals = [], [], []
        taken: dict[int, int] = defaultdict(int)
        for member_id in sorted(earned):
            own = earned[member_id]
            demo = member_id == self.demo_member.pk
            if not demo and not self.d.chance(0.35):
                continue
            last = max(e.created_at for e in own)
            at = min(last + timedelta(days=self.d.between(1, 20)), self.now - timedelta(hours=2))
            balance = sum(e.amount for e in own if e.created_at <= at)
            community = own[-1].community_id
            shelf = [r for r in self.rewards[community] if r.cost <= (balance if not demo else balance - 60)]
            shelf = [r for r in shelf if taken[r.pk] < r.stock]
            if not shelf:
                continue
            reward = shelf[0] if demo else self.d.pick(shelf)
            taken[reward.pk] += 1
            state = (
                RedemptionState.HANDED_OVER
                if demo
                else REDEMPTION_STATES[len(redemptions) % len(REDEMPTION_STATES)]
            )
            closed = min(at + timedelta(days=self.d.between(1, 5)), self.now - timedelta(hours=1))
            redemption = Redemption(
                reward=reward,
                member_id=member_id,
                cost=reward.cost,
                state=state,
                placed_at=at,
                placed_by=users.get(member_id),
                closed_at=None if state == RedemptionState.PLACED else closed,
                closed_by=self.users["community"]
                if reward.area_id == self.home.area.pk and state != RedemptionState.PLACED
                else None,
                cancel_reason="家里已经有了，暂不需要" if state == RedemptionState.CANCELLED else "",
            )
            redemptions.append(redemption)
            unit_id = own[-1].unit_id
            spent = PointEntry(
                member_id=member_id,
                amount=-reward.cost,
                kind=EntryKind.REDEMPTION,
                community_id=community,
                community_path=reward.area_path,
                unit_id=unit_id,
                redemption=redemption,
                note=reward.name,
                created_by=users.get(member_id),
                created_at=at,
            )
            entries.append(spent)
            if state == RedemptionState.CANCELLED:
                taken[reward.pk] -= 1
                reversals.append(
                    PointEntry(
                        member_id=member_id,
                        amount=reward.cost,
                        kind=EntryKind.REVERSAL,
                        community_id=community,
                        community_path=reward.area_path,
                        unit_id=unit_id,
                        redemption=redemption,
                        reverses=spent,
                        note=redemption.cancel_reason,
                        created_by=redemption.closed_by,
                        created_at=closed,
                    )
                )
        Redemption.objects.bulk_create(redemptions)
        PointEntry.objects.bulk_create(entries)
        PointEntry.objects.bulk_create(reversals)
        self.counts["redemptions"] = len(redemptions)
        self.counts["entries"] += len(entries) + len(reversals)

    # --- the demo accounts, through the actions ---------------------------------------------------

    def live_business(self) -> None:
        """Now, through the actions: the resident asks twice and a grid worker once; the community
        dispatches to the member with the suggestions' reasons; the member accepts two and serves one."""
        community, member, resident, grid = (
            self.users[k] for k in ("community", "member", "resident", "grid")
        )
        outreach = self.categories["policy_outreach"]

        def dispatch(need):
            advice = next((s for s in suggest(need) if s.target == self.demo_member), None)
            reason = "；".join(advice.reasons) if advice else ""
            return actions.dispatch_need(
                acting_user=community, need=need, member=self.demo_member, suggestion_reason=reason[:200]
            )

        served = actions.post_need(
            acting_user=resident,
            title="想在手机上办理养老金资格认证",
            category=outreach,
            description="不会用手机上的认证软件，想请人上门教一下。",
        )
        assignment = dispatch(served)
        actions.accept_assignment(acting_user=member, assignment=assignment)
        day = next(
            d for d in (1, 2, 3, 4) if self.today - timedelta(days=d) not in self.busy[self.demo_member.pk]
        )
        started = self.on(self.today - timedelta(days=day), 15)
        served.refresh_from_db()  # the actions moved a locked copy of it
        record_actions.log_service_record(
            acting_user=member,
            category=outreach,
            started_at=started,
            minutes=60,
            description="上门教老人用手机完成养老金资格认证，并讲解了医保缴费政策",
            need=served,
        )
        self.date_back(served, started - timedelta(days=1, hours=5))
        taken = actions.post_need(
            acting_user=resident,
            title="想了解高龄津贴怎么申领",
            category=outreach,
            description="家里老人今年满八十岁，想知道高龄津贴要准备什么材料。",
        )
        actions.accept_assignment(acting_user=member, assignment=dispatch(taken))
        building = self.demo_member.residence_building
        offered = actions.post_need(
            acting_user=grid,
            title="楼栋居民想听垃圾分类新规讲解",
            category=outreach,
            community=self.home.area,
            compound=building.compound if building else None,
            building=building,
            description="新规下月实施，楼里老人多，希望有党员在楼下给大家讲一讲。",
        )
        dispatch(offered)
        self.counts["needs"] += 3
        self.counts["records"] += 1

    def date_back(self, need: Need, posted: datetime) -> None:
        """The served need was asked for before it was served: its posting, dispatch and acceptance
        move back to the day before the service (logging it stays today, when the member logged it)."""
        at = {"post": posted, "dispatch": posted + timedelta(hours=2), "accept": posted + timedelta(hours=5)}
        Need.objects.filter(pk=need.pk).update(created_at=posted)
        for event in need.events.filter(action__in=at):
            NeedEvent.objects.filter(pk=event.pk).update(at=at[event.action])
        need.assignments.update(
            offered_at=at["dispatch"],
            respond_by=at["dispatch"] + timedelta(hours=24),
            responded_at=at["accept"],
        )


def _base(story: str) -> str:
    """The state a story ends in: ``closed_wish`` → ``closed``."""
    return story.split("_")[0] if story != "offered_overdue" else story


class _Chain:
    """A need's history: each step changes its state (and its assignments) and leaves an event, as
    the action of that name would."""

    def __init__(self, seeder: _Seeder, need: Need) -> None:
        self.s, self.need = seeder, need
        self.current: Assignment | None = None

    def step(self, action: str, to: str, at: datetime, actor=None, reason: str = "") -> None:
        at = min(at, self.s.now - timedelta(minutes=5))
        self.s.need_events.append(
            NeedEvent(
                need=self.need,
                from_state="" if action == "post" else self.need.state,
                to_state=to,
                action=action,
                actor=actor,
                at=at,
                reason=reason[:200],
            )
        )
        self.need.state = to

    def _assign(self, at, by, via, state, member_id=None, team=None, unit=None) -> Assignment:
        a = Assignment(
            need=self.need,
            member_id=member_id,
            team=team,
            unit=unit,
            via=via,
            state=state,
            assigned_by=by,
            offered_at=at,
        )
        self.s.assignments.append(a)
        self.current = a
        return a

    def _who(self, a: Assignment) -> str:
        return self.s.names[a.member_id] if a.member_id else str(a.team or a.unit)

    def offer(self, at, by, **to) -> None:
        a = self._assign(at, by, AssignmentVia.DISPATCH, AssignmentState.OFFERED, **to)
        a.respond_by = at + timedelta(hours=24)
        self.step("dispatch", NeedState.OFFERED, at, by, f"→ {self._who(a)}")

    def take(self, at, by, **to) -> None:
        a = self._assign(at, by, AssignmentVia.TAKEN, AssignmentState.ACCEPTED, **to)
        a.responded_at, a.responded_by = at, by
        self.step("take", NeedState.TAKEN, at, by, self._who(a))

    def accept(self, at, by) -> None:
        a = self.current
        a.state, a.responded_at, a.responded_by = AssignmentState.ACCEPTED, at, by
        self.step("accept", NeedState.TAKEN, at, by, self._who(a))

    def decline(self, at, reason) -> None:
        a = self.current
        a.state, a.responded_at, a.decline_reason = AssignmentState.DECLINED, at, reason
        self.current = None
        self.step("decline", NeedState.OPEN, at, None, reason)

    def serve(self, at, by) -> None:
        self.current.state = AssignmentState.DONE
        self.step("serve", NeedState.DONE, at, by, gettext("Service record logged"))

    def close(self, at, by) -> None:
        self.need.closed_at = at
        self.step("close", NeedState.CLOSED, at, by, gettext("Service record confirmed"))

    def cancel(self, at, by, reason) -> None:
        if self.current is not None:
            self.current.state, self.current.decline_reason = AssignmentState.WITHDRAWN, reason
        self.need.closed_at = min(at, self.s.now - timedelta(minutes=5))
        self.step("cancel", NeedState.CANCELLED, at, by, reason)
