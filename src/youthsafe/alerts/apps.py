from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "youthsafe.alerts"
    label = "alerts"
    verbose_name = _("Early warning")

    def ready(self) -> None:
        # Ingestion tells alerting about scanned posts through pipeline's hook (pipeline imports no alerts).
        from youthsafe.alerts import hooks  # noqa: PLC0415  (app loading: hooks imports models, ready only now)

        hooks.register()
