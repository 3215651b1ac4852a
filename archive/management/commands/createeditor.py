"""Creates an editor account (staff, in the Editors group, not a superuser), or makes an account one.

It never touches a superuser, and replaces an existing account's password only when asked to.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create an editor who can annotate articles and correct their metadata in the admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-from-env",
            "--password-env",
            dest="password_env",
            metavar="VAR",
            help="Read the password from this environment variable instead of prompting.",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Replace the password of an existing account (it is kept otherwise).",
        )

    def handle(self, username, email, password_env, reset_password, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_superuser:
            raise CommandError(
                f"{username} is a superuser: createeditor neither downgrades a superuser nor changes "
                f"its password (use `manage.py changepassword {username}` for that)."
            )
        try:
            editors = Group.objects.get(name="Editors")
        except Group.DoesNotExist:
            raise CommandError("The Editors group is missing: run `manage.py migrate` first.") from None
        created = user is None
        if created:
            user = User(username=username)
        elif password_env and not reset_password:
            raise CommandError(
                f"{username} exists already: add --reset-password to replace its password, "
                "or leave out --password-from-env to keep it."
            )

        if created or reset_password:
            password = self.read_password(password_env)
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)
        user.email = email or user.email
        user.is_staff = True
        user.save()
        user.groups.add(editors)

        if created:
            self.stdout.write(f"Created editor {username}.")
        else:
            password_note = "password replaced" if reset_password else "password unchanged"
            self.stdout.write(f"Made {username} an editor (staff, in the Editors group); {password_note}.")

    def read_password(self, password_env: str | None) -> str:
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"The environment variable {password_env} is empty or unset.")
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for the password: pass --password-from-env VAR with the password "
                "in that environment variable."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
