"""``gongjian demo-accounts``: print the demo accounts, their roles, scopes and password."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.accounts import DEMO_PASSWORD, DEMO_URL, describe_accounts, format_table


class Command(BaseCommand):
    help = "Print the demo accounts (username, role, scope, password) and the address to open."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=DEMO_URL,
            help=f"the address the server answers on (make demo passes it; {DEMO_URL})",
        )

    def handle(self, *args, **options):
        rows = describe_accounts()
        if not rows:
            self.stdout.write(
                "还没有演示账号，请先运行 gongjian demo-city。\n"
                "No demo accounts yet: run `gongjian demo-city` first."
            )
            return
        header = ("账号 username", "角色 role", "范围 scope", "密码 password")
        table = format_table([header, *[(*row, DEMO_PASSWORD) for row in rows]])
        self.stdout.write(f"演示账号 / Demo accounts\n\n{table}\n\n打开 / Open: {options['url']}")
