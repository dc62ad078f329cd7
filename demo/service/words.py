"""What people write in the demo city's service loop: needs, wishes, notes, reasons, posts, rewards,
resources and projects. Data in Chinese, as people type it, not interface strings."""

from __future__ import annotations

from demo.layout import Weighted
from points.models import RedemptionState
from service.models import ProjectState, ResourceKind

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
# Redemptions in turn: most collected, some waiting to be collected, one in ten cancelled.
_COLLECTED, _WAITING = RedemptionState.HANDED_OVER, RedemptionState.PLACED
REDEMPTION_STATES = [_COLLECTED, RedemptionState.CANCELLED, _COLLECTED, _WAITING, _COLLECTED]
REDEMPTION_STATES += [_COLLECTED, _WAITING, _COLLECTED, _COLLECTED, _COLLECTED]
