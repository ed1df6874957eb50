from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MesmConfig(AppConfig):
    name = "mesm"
    verbose_name = _("Organisations and accounts")

    def ready(self) -> None:
        from mesm import audit_signals

        audit_signals.connect()
