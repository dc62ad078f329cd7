"""The standard tree of case categories (问题分类), after the city-management and 12345 classifications,
each with its deadline and time to accept in working days. A city edits them in the admin (or the API);
the default handler of each is set there, since departments are the city's own."""

from django.db import migrations

# (code, name, [(code, name, deadline_days, accept_days), ...])
TREE = [
    ("appearance", "市容环境", [
        ("piles", "乱堆乱放", 3, 1), ("garbage", "垃圾清运不及时", 2, 1), ("ads", "违规广告招牌", 5, 1),
        ("street-trading", "占道经营", 3, 1),
    ]),
    ("building", "违法建设", [("illegal-building", "违章搭建", 10, 1), ("private-use", "私占公共空间", 10, 1)]),
    ("traffic", "交通停车", [
        ("parking", "乱停乱放", 3, 1), ("car-sale", "占道售卖车辆", 5, 1), ("abandoned-car", "僵尸车", 10, 1),
    ]),
    ("facilities", "公共设施", [
        ("street-light", "路灯损坏", 3, 1), ("manhole", "井盖缺失破损", 1, 1), ("road", "道路破损", 5, 1),
    ]),
    ("property", "物业管理", [
        ("lift", "电梯故障", 2, 1), ("leak", "房屋渗漏", 5, 1), ("property-service", "物业服务纠纷", 10, 2),
    ]),
    ("safety", "安全隐患", [
        ("fire-lane", "消防通道堵塞", 1, 1), ("charging", "电动车飞线充电", 1, 1), ("hazard", "其他安全隐患", 2, 1),
    ]),
    ("order", "社会秩序", [("noise", "噪声扰民", 3, 1), ("dispute", "邻里纠纷", 5, 1), ("station-front", "站前秩序", 3, 1)]),
    ("market", "市场监管", [("food", "食品安全", 5, 1), ("unlicensed", "无证经营", 10, 1)]),
    ("other", "其他", [("other-problem", "其他问题", 5, 1)]),
]


def forwards(apps, schema_editor):
    """Idempotent: the tests put the rows back after a flush (conftest._seed_migration_rows)."""
    CaseCategory = apps.get_model("cases", "CaseCategory")
    if CaseCategory.objects.exists():
        return
    for sort, (code, name, children) in enumerate(TREE):
        group = CaseCategory.objects.create(code=code, name=name, sort=sort * 10)
        for n, (ccode, cname, days, accept) in enumerate(children):
            CaseCategory.objects.create(
                parent=group, code=ccode, name=cname, deadline_days=days, accept_days=accept, sort=sort * 10 + n + 1
            )


def backwards(apps, schema_editor):
    apps.get_model("cases", "CaseCategory").objects.filter(parent__isnull=False).delete()
    apps.get_model("cases", "CaseCategory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
