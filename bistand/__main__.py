"""The `bistand` console script: runs every management command with our settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bistand.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bistand", *sys.argv[1:]])


if __name__ == "__main__":
    main()
