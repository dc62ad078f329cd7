"""What the demo city's alliances write: names, covenants, agreements and their responsibility lists, posts'
leaders, meeting titles, agendas, minutes, resolutions, activity themes, board posts and leaders' visits.
Data in Chinese, as a street office writes it (seeds 000 Songyuan, 002 Huating, 003 Xingning), not
interface strings."""

from __future__ import annotations

CHARTER = (
    "一、坚持党建引领，在{street}党工委领导下，成员单位建立同盟、签订协议、共守盟约。\n"
    "二、资源共享：成员单位向居民开放活动场所、会议室、食堂、停车位等阵地资源。\n"
    "三、服务共抓：每个成员单位至少认领一个为民服务项目，组织在职党员到居住社区报到服务。\n"
    "四、难题共解：每季度至少召开一次联席会议，遇紧急事项随时召开，共同研究解决居民群众关心的民生难题。\n"
    "五、活动共办：实行轮值主席制，每月由一个成员单位牵头开展主题活动。\n"
    "六、责任共担：成员单位履行共建协议职责清单，接受督查员跟踪督查和年度考评。"
)
COMMUNITY_CHARTER = (
    "社区联合党委实行兼职委员制，驻区单位负责人、物业企业负责人、社区民警担任兼职委员；"
    "每月召开一次派单会议，居民点单、社区派单、单位接单，共同办好身边实事。"
)
AGREEMENT_TITLE = "{unit}与{street}共建协议（{year}年度）"
PAIRING_TITLE = "{unit}与{community}结对共建协议"
TERMS = (
    "甲方：{lead}\n乙方：{unit}党组织\n"
    "一、双方本着“资源共享、优势互补、共驻共建、互利共赢”的原则开展共建。\n"
    "二、乙方按本协议所附职责清单履行义务，组织在职党员到居住社区报到服务，每季度向甲方报告一次履行情况。\n"
    "三、甲方为乙方党员参与社区服务提供阵地、信息和组织保障，将履行情况纳入年度考评。\n"
    "四、本协议自双方签字之日起生效，有效期内任何一方不得擅自变更；期满前三十日内协商续签。"
)
# (kind, description, quantity, measure): the responsibility list (职责清单) of a member unit
COMMITMENTS = [
    ("people", "组织在职党员到居住社区报到并参加志愿服务", 20, "人"),
    ("hours", "党员志愿服务时长", 200, "小时"),
    ("venue", "每周向居民开放会议室、活动室", 1, "处"),
    ("funds", "共建经费支持社区为民办实事", 20000, "元"),
    ("project", "认领并实施一个社区为民服务项目", 1, "个"),
    ("other", "参加联盟联席会议和轮值主席活动", 4, "次"),
]
DEPARTMENT_COMMITMENTS = [
    ("people", "安排执法人员下沉社区，参与网格巡查", 6, "人"),
    ("hours", "下沉服务时长", 120, "小时"),
    ("other", "对街道“吹哨”事项按时报到、限时办结", 100, "%"),
]
PAIRING_COMMITMENTS = [
    ("people", "党员结对联系社区困难家庭", 10, "人"),
    ("hours", "结对社区志愿服务时长", 80, "小时"),
]

INSPECTOR_NAME = "{street}联盟督查员"

# leaders linked to communities (领导挂钩联系): (name, title)
LEADERS = [
    ("陈建华", "市委常委、组织部部长"),
    ("林志强", "市人大常委会副主任"),
    ("黄丽萍", "区委副书记"),
    ("张国栋", "区人民政府副区长"),
    ("吴海燕", "区政协副主席"),
    ("郑伟民", "市委副秘书长"),
    ("王立新", "区委常委、组织部部长"),
    ("刘晓东", "市住房和城乡建设局局长"),
]
VISIT_NOTES = [
    "到社区党群服务中心调研，听取社区工作汇报，走访慰问困难党员和群众。",
    "实地察看老旧小区改造进展，与居民代表座谈，了解群众急难愁盼。",
    "参加社区党组织主题党日活动，为党员群众讲专题党课。",
    "走访驻区单位和物业企业，协调解决小区停车难、充电难问题。",
]
VISIT_PROBLEMS = [
    "小区停车位不足，居民反映强烈",
    "老旧小区加装电梯协调难",
    "背街小巷路灯损坏，夜间出行不便",
    "农贸市场周边占道经营",
]

# meetings
PLENARY_TITLE = "{name}{year}年度全体成员单位大会"
PLENARY_AGENDA = (
    "1. 总结上年度联盟工作，通报各成员单位共建协议履行情况；\n"
    "2. 审议本年度联盟工作计划和轮值主席安排；\n"
    "3. 签订（续签）共建协议；\n"
    "4. 表彰优秀成员单位和优秀在职党员。"
)
REGULAR_TITLE = "{name}第{quarter}季度联席会议"
REGULAR_AGENDAS = [
    "1. 通报上季度决议事项办理情况；\n2. 研究老旧小区改造中的共性问题；\n3. 部署本季度在职党员报到服务工作。",
    "1. 通报上季度决议事项办理情况；\n2. 研究背街小巷环境整治；\n3. 商议“我为群众办实事”项目认领。",
    "1. 通报上季度决议事项办理情况；\n2. 研究防汛防台和安全生产工作；\n3. 交流成员单位资源开放情况。",
    "1. 通报上季度决议事项办理情况；\n2. 研究冬季困难群众帮扶；\n3. 开展成员单位年度履职评议。",
]
STREET_TITLE = "{street}党工委第{quarter}季度党建工作会议"
STREET_AGENDA = (
    "1. 传达学习上级会议精神；\n2. 听取各社区党组织工作汇报；\n3. 研究部署下阶段基层党建重点任务。"
)
COMMUNITY_TITLE = "{community}{month}月派单会议"
COMMUNITY_REGULAR_TITLE = "{community}联合党委第{quarter}季度联席会议"
COMMUNITY_AGENDA = "1. 梳理本月居民需求清单；\n2. 向驻区单位和在职党员派单；\n3. 通报上月派单办理情况。"
EMERGENCY_TITLE = "{name}防汛防台紧急会议"
EMERGENCY_AGENDA = (
    "1. 通报台风路径和强降雨预警；\n2. 部署低洼地段人员转移和物资储备；\n3. 明确各成员单位包片责任。"
)
CASE_TITLE = "{name}多方议事会：{case}"
CASE_AGENDA = "1. 网格员通报问题情况；\n2. 相关职能部门和成员单位说明处置意见；\n3. 商定处置方案和时限。"
PLACES = ["{street}党群服务中心二楼会议室", "{street}办事处三楼会议室", "{street}党建联盟议事厅"]
EXCUSES = ["外出参加上级培训，已请假", "单位有紧急任务，委托副职参加", "出差在外"]
MINUTES = (
    "会议由{chair}主持，应到{invited}人，实到{present}人。\n"
    "会议听取了上次会议决议事项的办理情况汇报，与会成员单位围绕会议议题进行了充分讨论。\n"
    "会议议定：{decisions}\n"
    "会议要求各成员单位按照职责分工抓好落实，联络员每月报送进展。"
)
AMEND_NOTE = "根据成员单位意见补充决议事项的完成时限"
AMENDED_TAIL = "\n（补充）上述事项均应在规定时限内办结，逾期的由督查员跟踪督办。"

# resolutions: what a meeting decides for a member unit
RESOLUTIONS = [
    "牵头协调小区停车位错时共享，开放单位停车场夜间停车",
    "组织在职党员开展背街小巷环境整治志愿服务",
    "为辖区独居老人安装燃气报警器",
    "开放单位食堂为社区老人提供助餐服务",
    "对小区违章搭建开展联合巡查并建立台账",
    "组织专业人员为居民开展免费义诊",
    "完善防汛物资储备，落实低洼地段包片责任",
    "为社区少年儿童开设暑期托管课堂",
    "协调解决小区电动车充电桩建设",
    "开展消防安全隐患排查整治",
]
PROGRESS = [
    "已召开专题会议研究，制定了实施方案。",
    "已完成现场踏勘，正在组织实施。",
    "已落实人员和经费，完成过半。",
]
EVIDENCE = [
    "已全部完成，附现场照片和居民签字确认单。",
    "已办结，居民代表现场验收满意。",
    "已完成并建立长效机制，附工作台账。",
]
CLOSE_NOTE = "经核实已办结，予以销号。"
DROP_REASON = "经研究该事项已纳入区级统筹项目，联盟不再单独推进。"

# themed activities of the rotating chair
# (theme, title, the service-menu item attendance is recorded under)
THEMES = [
    ("新春送温暖", "新春走访慰问困难群众", "elderly_care"),
    ("学雷锋志愿服务月", "学雷锋志愿服务进社区", "civility"),
    ("清明文明祭扫", "文明祭扫宣传和环境整治", "environment"),
    ("五一劳动光荣", "劳模进社区宣讲", "policy_outreach"),
    ("防灾减灾", "防灾减灾知识宣传和应急演练", "safety"),
    ("庆七一", "庆祝建党节主题党日活动", "culture_events"),
    ("夏日送清凉", "为环卫工人和户外劳动者送清凉", "civility"),
    ("关爱青少年", "暑期青少年安全教育课堂", "tutoring"),
    ("敬老月", "重阳节敬老爱老志愿服务", "elderly_care"),
    ("国庆同心", "“我和我的祖国”邻里文化活动", "culture_events"),
    ("法治宣传", "宪法宣传和法律咨询进社区", "legal_aid"),
    ("冬季暖心", "冬季困难群众帮扶和义诊", "health"),
]
PLAN = "由{unit}牵头，组织在职党员志愿者{n}人参加，活动地点{place}，联系居民、物业共同参与。"
REPORT = "{unit}本月牵头开展“{theme}”主题活动，{n}名党员和居民参加，服务群众{m}人次，居民反映良好。"
ACTIVITY_PLACES = ["{community}党群服务中心", "{community}文化广场", "{community}邻里中心"]
ACTIVITY_DESCRIPTION = "欢迎辖区党员和居民报名参加。请提前十分钟到场，扫码签到。"
UPCOMING = ("“邻里守望”平安巡逻", "平安建设", "safety")

# the board (信息共享)
BOARD = [
    (
        "update",
        "{unit}开放职工食堂为社区老人助餐",
        "{unit}本月起每周一至周五中午向辖区60岁以上老人开放职工食堂，已有80余位老人办理就餐卡。",
    ),
    (
        "task",
        "关于报送本年度共建协议履行情况的通知",
        "请各成员单位对照职责清单，于{due}前通过平台报送本年度协议履行情况和下年度共建计划。",
    ),
    (
        "plan",
        "{name}下年度工作计划（征求意见稿）",
        "现将联盟下年度工作计划征求意见稿发布，请各成员单位阅研并提出意见建议。",
    ),
    (
        "task",
        "关于做好冬季安全生产大检查的通知",
        "根据上级部署，请各成员单位于{due}前完成本单位及共建小区的安全隐患自查，并报送自查报告。",
    ),
]
