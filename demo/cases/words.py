"""What people write on the demo city's cases: problems by category, progress, results, reasons for
returning and reopening, what meetings agreed. Data in Chinese, as people type it, not interface
strings."""

from __future__ import annotations

# The bureau (demo.vocab.DEPARTMENT_BUREAUS) that handles each group of the standard category tree
# (cases/migrations/0002_standard_categories.py); "other" has none: the street chooses each time.
GROUP_BUREAU = {
    "appearance": "城市管理局",
    "building": "城市管理局",
    "traffic": "城市管理局",
    "facilities": "住房和城乡建设局",
    "property": "住房和城乡建设局",
    "safety": "应急管理局",
    "order": "公安分局",
    "market": "市场监督管理局",
}
# The bureau a co-handler is called from, when a case needs two departments.
CO_BUREAU = {
    "appearance": "生态环境局",
    "building": "住房和城乡建设局",
    "traffic": "公安分局",
    "facilities": "城市管理局",
    "property": "应急管理局",
    "safety": "公安分局",
    "order": "城市管理局",
    "market": "城市管理局",
}

# category code → [(title, description)]
PROBLEMS = {
    "piles": [
        ("楼道堆放杂物", "{place}楼道里堆满了纸箱和旧家具，消防通道被堵。"),
        ("单元门口堆放建筑垃圾", "{place}有住户装修，建筑垃圾堆在单元门口一个多星期没人清运。"),
    ],
    "garbage": [
        ("垃圾桶满溢无人清运", "{place}旁边的垃圾桶已经满了两天，气味很大。"),
        ("生活垃圾清运不及时", "{place}的垃圾房这几天没有按时清运，招了很多苍蝇。"),
    ],
    "ads": [("违规悬挂广告横幅", "{place}外墙挂了大幅商业广告横幅，遮挡了窗户。")],
    "street-trading": [
        ("流动摊贩占道经营", "早上{place}门口的人行道被菜摊占满，行人只能走机动车道。"),
        ("夜市摊点占用盲道", "{place}附近晚上的烧烤摊把盲道和人行道都占了。"),
    ],
    "illegal-building": [
        ("楼顶违章搭建", "{place}顶楼住户在楼顶搭建彩钢房，影响楼顶防水和消防。"),
        ("一楼住户私自扩建院子", "{place}一楼住户圈占公共绿地扩建院子。"),
    ],
    "private-use": [("私占公共楼道", "{place}有住户用铁门把公共楼道封起来自用。")],
    "parking": [
        ("车辆乱停堵塞消防通道", "{place}晚上车辆乱停，把消防通道堵死了。"),
        ("非机动车乱停乱放", "{place}门口共享单车和电动车乱停，出入很不方便。"),
    ],
    "car-sale": [("路边占道售卖二手车", "{place}外面的路边长期停着十几辆挂牌出售的二手车。")],
    "abandoned-car": [("僵尸车长期占用车位", "{place}有一辆车停了半年多没动过，轮胎都瘪了。")],
    "street-light": [
        ("路灯不亮", "{place}外面的路灯坏了一排，晚上一片漆黑。"),
        ("小区路灯损坏", "{place}里好几盏路灯不亮，老人晚上散步不安全。"),
    ],
    "manhole": [("井盖缺失", "{place}门口的雨水井盖不见了，有人差点踩空。")],
    "road": [("路面坑洼积水", "{place}门口路面破损，下雨天积水很深。")],
    "lift": [
        ("电梯经常停运", "{place}的电梯一个月坏了三次，高层老人上下楼很困难。"),
        ("电梯困人", "{place}电梯今天又困人了，物业维修不及时。"),
    ],
    "leak": [("屋顶渗漏", "{place}顶楼下雨就漏水，墙皮都泡掉了。")],
    "property-service": [
        ("物业不作为", "{place}物业收了费不打扫卫生，垃圾和落叶没人管。"),
        ("物业费纠纷", "{place}物业突然上调物业费，业主意见很大。"),
    ],
    "fire-lane": [("消防通道被占", "{place}的消防通道被杂物和车辆占用。")],
    "charging": [
        ("电动车飞线充电", "{place}有住户从窗户拉电线到楼下给电动车充电。"),
        ("电动车推进楼道充电", "{place}楼道里停了几辆电动车在充电，存在火灾隐患。"),
    ],
    "hazard": [("外墙瓷砖脱落", "{place}外墙瓷砖掉了好几块，楼下行人很危险。")],
    "noise": [
        ("夜间施工噪音扰民", "{place}附近工地晚上十一点后还在施工。"),
        ("广场舞音响声音太大", "{place}旁边的广场舞音响开得太大，影响休息。"),
    ],
    "dispute": [("邻里因漏水发生纠纷", "{place}楼上漏水渗到楼下，双方协商不成吵了起来。")],
    "station-front": [("站前拉客揽客", "{place}附近车站门口有人拉客揽客，秩序混乱。")],
    "food": [("小餐馆卫生条件差", "{place}附近一家小餐馆后厨卫生很差，污水直接排到路边。")],
    "unlicensed": [("无证经营小作坊", "{place}一楼有人开了加工小作坊，没有任何证照。")],
    "other-problem": [("公共健身器材损坏", "{place}的健身器材坏了好几件，存在安全隐患。")],
}
PROGRESS = [
    "已到现场核实，情况属实，正在制定处置方案。",
    "已约谈当事人，限期三日内自行整改。",
    "已联系维修单位，材料到位后施工。",
    "已下达整改通知书，明日复查。",
    "已组织人员现场处置，完成约一半。",
]
RESULTS = [
    "已现场处置完毕，经复查问题已解决。",
    "当事人已按要求整改，拍照留存。",
    "已完成维修，恢复正常使用。",
    "已依法查处并责令改正，复查合格。",
    "已协调各方清理完毕，并纳入日常巡查。",
]
COMMUNITY_RESULTS = [
    "社区已上门劝导，住户当天清理完毕。",
    "网格员协调物业处理，已恢复正常。",
    "社区组织志愿者清理，问题已解决。",
]
RETURN_REASONS = [
    "不属于本部门职责范围，建议转住建部门。",
    "地点不在本部门辖区，请核实后重新派单。",
    "该问题属于物业管理范畴，应由物业服务企业处理。",
]
REOPEN_REASONS = ["问题又出现了，没有彻底解决。", "只是表面处理了一下，过两天又恢复原样。"]
RATING_COMMENTS = {
    "satisfied": ["处理很及时，谢谢！", "问题解决了，很满意。", ""],
    "basic": ["解决了，就是慢了点。", "基本解决，希望加强巡查。", ""],
    "unsatisfied": ["问题还在，没有解决。", "只来看了一眼，什么都没做。"],
}
MEETING_TITLES = ["六方联席会议", "多方协调会", "现场联合办公会"]
MEETING_AGREED = [
    "城管负责拆除违建，住建督促物业修复，社区做好住户解释工作，一周内完成。",
    "各方分工：物业负责清理，派出所负责劝离，网格员每日巡查。",
    "确定整改方案和时间表，下周由社区组织复查。",
]
MEETING_PARTIES = "居委会、物业服务企业、网格员"
MEETING_ATTENDEES = "居委会主任、物业经理、网格员、业主代表"
HOTLINE_CALLERS = ["王女士", "李先生", "张阿姨", "陈先生", "刘女士", "林大爷"]
