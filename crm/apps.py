from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from django.contrib import admin

        from crm.forms import AdminLoginForm
        from crm.roles import sync_roles_after_migrate

        # The maintenance login says "locked" like /login/ (the lock itself is in the backend).
        admin.site.login_form = AdminLoginForm
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        # Sibling apps talk through signals wired here (crm/wiring.py).
        from crm import wiring

        wiring.connect()
