from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "youthsafe.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Connects the login/logout audit receivers; signals.py uses the models, importable only once apps are ready.
        from youthsafe.core import signals  # noqa: F401, PLC0415  (app loading: models are ready only now)
