"""The shared service menu (服务菜单) every city starts with, and the default points rule.

Big categories follow seed 003 (经济, 教育, 文化…) with small items under them (停车, 就业…); each item
names the vanguard kind (五个先锋, seed 001) it belongs to and the skills that fit it, which the
dispatch suggestions match against members' declared skills. Cities add or retire rows in the admin.
"""

from django.db import migrations

# (code, name, vanguard kind, [(code, name, vanguard kind, keywords)])
MENU = [
    ("livelihood", "民生服务", "volunteering", [
        ("elderly_care", "助老助残", "volunteering", "助老 养老 护理 陪护 送餐"),
        ("home_repair", "家电水电维修", "volunteering", "电工 水电 维修 家电 管道"),
        ("parking", "停车难", "opinion_collection", "停车 交通 车位"),
        ("congestion", "交通拥堵疏导", "volunteering", "交通 疏导 指挥"),
        ("health", "义诊健康", "volunteering", "医生 护士 医疗 义诊 健康"),
    ]),
    ("economy", "经济发展", "policy_outreach", [
        ("jobs", "就业创业", "policy_outreach", "就业 招聘 创业 人社"),
        ("business", "商户服务", "policy_outreach", "工商 税务 财务 会计"),
    ]),
    ("education", "教育服务", "volunteering", [
        ("tutoring", "课业辅导", "volunteering", "教师 辅导 家教 作业"),
        ("family_education", "家庭教育", "volunteering", "心理 教育 亲子"),
    ]),
    ("culture", "文化服务", "model_resident", [
        ("culture_events", "文体活动", "model_resident", "文艺 书法 舞蹈 体育 摄影"),
        ("civility", "文明创建", "model_resident", "文明 宣传 卫生"),
    ]),
    ("governance", "基层治理", "dispute_mediation", [
        ("mediation", "矛盾调解", "dispute_mediation", "调解 法律 律师 纠纷"),
        ("legal_aid", "法律咨询", "dispute_mediation", "律师 法律 法务 公证"),
        ("policy_outreach", "政策宣讲", "policy_outreach", "宣讲 政策 党课 讲解"),
        ("opinion", "民意收集", "opinion_collection", "走访 调查 民意 收集"),
        ("environment", "环境整治", "volunteering", "环境 清洁 垃圾 绿化"),
        ("safety", "安全巡防", "volunteering", "巡逻 消防 安全 治安"),
    ]),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("service", "ServiceCategory")
    for big_sort, (code, name, kind, items) in enumerate(MENU, start=1):
        big, _ = Category.objects.get_or_create(
            city=None, code=code, defaults={"name": name, "vanguard_kind": kind, "sort": big_sort * 10}
        )
        for sort, (item_code, item_name, item_kind, keywords) in enumerate(items, start=1):
            Category.objects.get_or_create(
                city=None,
                code=item_code,
                defaults={
                    "parent": big,
                    "name": item_name,
                    "vanguard_kind": item_kind,
                    "keywords": keywords,
                    "sort": big_sort * 10 + sort,
                },
            )


def backwards(apps, schema_editor):
    Category = apps.get_model("service", "ServiceCategory")
    codes = [c for c, *_ in MENU] + [i[0] for *_, items in MENU for i in items]
    Category.objects.filter(city=None, code__in=codes, parent__isnull=False).delete()
    Category.objects.filter(city=None, code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
