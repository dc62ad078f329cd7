"""The words the demo city is made of: Longyan's districts and streets, community and compound
names, unit names, Chinese surnames and given-name characters, skills.

Real division codes and names where they exist (龙岩市 350800, 新罗区 350802, 永定区 350803 …);
invented but plausible names beyond them. Nothing here refers to a real person.
"""

from __future__ import annotations

CITY_CODE = "350800"
CITY_NAME = "龙岩市"

# (code, name, street name stems): the real districts of Longyan first.
DISTRICTS: list[tuple[str, str, list[str]]] = [
    ("350802", "新罗区", "东城 南城 西城 中城 西陂 曹溪 东肖 龙门 铁山 红坊".split()),
    ("350803", "永定区", "凤城 城郊 坎市 高陂 金丰 湖坑 培丰 抚市".split()),
    ("350821", "长汀县", "汀州 大同 策武 河田 新桥 馆前".split()),
    ("350823", "上杭县", "临江 临城 南阳 古田 蛟洋 旧县".split()),
    ("350824", "武平县", "平川 中山 岩前 十方 城厢 东留".split()),
    ("350825", "连城县", "莲峰 北团 姑田 朋口 林坊 文亨".split()),
    ("350881", "漳平市", "菁城 桂林 和平 双洋 永福 溪南".split()),
]
EXTRA_DISTRICT_NAMES = "龙湖区 东宝区 紫金区 莲花区 雁石区 适中区 白沙区 万安区 苏坂区".split()
STREET_STEMS = (
    "城关 北门 南门 东门 华丰 兰溪 翠屏 崇文 麒麟 岩山 小池 大池 江山 龙泉 金鸡 中溪 建设 人民 和平 新华 光明 振兴 "
    "长安 滨江"
).split()

COMMUNITY_STEMS = (
    "龙津 中山 西安 溪南 北门 南门 东宝 西山 登高 凤凰 紫金 莲花 龙腾 九一 华莲 龙川 南环 西环 岩山 雁石 苏坂 适中 "
    "白沙 万安 东兴 城南 石埠 罗桥 排头 陈陂 翠屏 崇文 隔后 黄竹 湖洋 内洋 大坪 龙泉 金鸡 中溪 建设 人民 和平 民主 "
    "解放 新华 光明 幸福 团结 胜利 振兴 长安 龙岗 东环 北环 桃源 桂花 梅林 竹园 松涛"
).split()
COMMUNITY_SUFFIXES = "东 西 南 北 新村 花园".split()

COMPOUND_PREFIXES = (
    "阳光 龙腾 金山 碧桂 紫金 翠园 锦绣 江山 御景 滨江 龙湖 书香 和谐 幸福 恒丰 华都 东方 盛世 香樟 桂园 丽景 枫林 "
    "融侨 龙津 天元 溪畔 佳园 青年 华侨 印象"
).split()
COMPOUND_SUFFIXES = "花园 苑 小区 华庭 家园 新村 公寓 山庄 名城 雅居 府 嘉园".split()

# Functional departments of a district (吹哨报到 answers); the police is a branch of the city bureau.
DEPARTMENT_BUREAUS = "城市管理局 公安分局 市场监督管理局 住房和城乡建设局 生态环境局 应急管理局".split()
AGENCY_BUREAUS = (
    "税务局 财政局 教育局 民政局 司法局 人力资源和社会保障局 卫生健康委员会 自然资源局 交通运输局 水利局 农业农村局 "
    "商务局 文化和旅游局 退役军人事务局 医疗保障局 统计局 审计局 科学技术局 发展和改革委员会 工业和信息化局"
).split()
PUBLIC_INSTITUTIONS = (
    "龙岩市第一医院 龙岩市人民医院 龙岩市中医院 龙岩市妇幼保健院 龙岩学院 闽西职业技术学院 龙岩第一中学 龙岩第二中学 "
    "龙岩第三中学 龙岩市实验小学 龙岩市博物馆 龙岩市图书馆 龙岩市疾病预防控制中心 龙岩市公共资源交易中心 "
    "龙岩市广播电视台 龙岩市文化馆"
).split()
STATE_FIRMS = (
    "国网龙岩供电公司 龙岩市烟草公司 中国移动龙岩分公司 中国电信龙岩分公司 中国联通龙岩分公司 中国工商银行龙岩分行 "
    "中国农业银行龙岩分行 中国银行龙岩分行 中国建设银行龙岩分行 中国邮政集团龙岩分公司 龙岩交通发展集团 龙岩城市发展集团 "
    "龙岩水务发展集团 龙岩文旅汇金发展集团 龙岩市公交有限公司 龙岩高速公路有限公司 中国人寿龙岩分公司 龙岩市粮食储备有限公司"
).split()
SOCIAL_ORGS = (
    "龙岩市慈善总会 龙岩市红十字会 龙岩市律师协会 龙岩市个体劳动者协会 龙岩市青年企业家协会 龙岩市义工联合会 "
    "龙岩市老年大学协会 龙岩市家庭教育研究会 龙岩市心理咨询师协会 龙岩市物业管理协会"
).split()
SOCIAL_ORG_TEMPLATES = [
    "{}志愿者协会",
    "{}社会工作服务中心",
    "{}老年协会",
    "{}商会",
    "{}文体协会",
    "{}调解协会",
]
FIRM_STEMS = (
    "鑫达 恒通 闽西 金龙 华安 永盛 宏达 新源 博创 中联 汇丰 盛达 联创 天泽 嘉禾 瑞丰 万通 顺昌 德润 佳利 同创 立信 "
    "信达 龙翔 客家 红土"
).split()
FIRM_TRADES = (
    "商贸 建设工程 物业管理 电子科技 食品 机械制造 网络科技 物流 医药 家政服务 文化传媒 餐饮管理 建材 环保科技 "
    "汽车销售 酒店管理 农业开发 教育咨询"
).split()
FIRM_FORMS = ["有限公司", "股份有限公司", "集团有限公司"]

COMMERCIAL_BUILDINGS = (
    "龙岩万达广场写字楼 龙岩金融中心 中骏世界城商务楼 龙岩财富中心 闽西商务大厦 红星美凯龙商务中心 龙岩电子商务产业园 "
    "莲花山商务楼 龙津国际大厦 龙岩国贸中心"
).split()

# Weighted surnames: the national top names, with 林 陈 黄 lifted as in Fujian.
SURNAMES: list[tuple[str, int]] = [
    (pair.split(":")[0], int(pair.split(":")[1]))
    for pair in (
        "王:70 李:70 张:65 刘:55 陈:80 杨:30 黄:45 赵:22 吴:25 周:20 徐:16 孙:14 马:12 朱:12 胡:11 郭:12 何:10 林:60 "
        "罗:10 高:9 郑:12 梁:8 谢:10 宋:6 唐:6 许:7 韩:5 邓:6 冯:5 曹:5 彭:5 曾:9 肖:5 田:4 董:4 潘:4 袁:4 蔡:5 蒋:4 "
        "余:4 于:3 杜:3 叶:6 程:3 魏:3 苏:4 吕:3 丁:3 任:3 卢:4 姚:3 沈:3 钟:5 姜:2 崔:2 谭:2 陆:2 范:2 汪:2 廖:5 石:2 "
        "邱:5 赖:4 温:3 邹:2 江:3 傅:2 游:2 翁:2 欧阳:1 司马:1"
    ).split()
]
MALE_CHARS = list(
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国文志海东兴荣福生祥松德成峰晨阳振胜立新永光春发庆金亮贵宏毅锋昌盛敬中"
)
FEMALE_CHARS = list(
    "芳娜敏静丽艳娟霞秀英慧巧美淑惠珠翠雅芝玉萍红玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱香月媛婷颖琴瑶欣怡晶倩璐佳"
)

SKILLS = (
    "医疗 法律咨询 教育辅导 维修 文艺 心理疏导 政策宣讲 矛盾调解 理发 摄影 书法 电脑网络 家电维修 烹饪 健康养生 财会 "
    "驾驶 外语 体育健身 志愿讲解"
).split()
HOUSEHOLD_NOTES = "独居老人 空巢老人 低保户 残疾人家庭 退役军人 留守儿童家庭 失独家庭 困难职工家庭".split()

# ID number area codes of people who live in Longyan: mostly born here, some from elsewhere.
BIRTH_AREAS: list[tuple[str, int]] = [
    (pair.split(":")[0], int(pair.split(":")[1]))
    for pair in (
        "350802:40 350803:12 350821:8 350823:8 350824:6 350825:6 350881:6 350102:3 350203:3 350502:2 350602:2 "
        "350403:2 360702:1 440106:1"
    ).split()
]
MOBILE_PREFIXES = (
    "133 135 136 137 138 139 150 151 152 157 158 159 176 177 180 181 183 186 187 188 189 195 199".split()
)
