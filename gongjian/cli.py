"""``gongjian`` — the console command people use: wraps the management commands they need.

    gongjian demo-city [--members N …]   build the demo city (or a benchmark-sized one)
    gongjian demo-accounts                print the demo accounts
    gongjian backup --to DIR              one archive: database, uploaded files, manifest (docs/BACKUP.md)
    gongjian restore FILE                 put it back into an empty database, verified table by table
    gongjian migrate | createsuperuser | run-worker | import-roster FILE --unit … | …

A dash in a command name stands for Django's underscore; any Django command works.
"""

import os
import sys

ALIASES = {"run-worker": "run_huey", "serve": "runserver"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        print(__doc__)
        argv = [argv[0], "help"]
    else:
        argv[1] = ALIASES.get(argv[1], argv[1].replace("-", "_"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
