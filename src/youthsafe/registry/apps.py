from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "youthsafe.registry"
    label = "registry"
    verbose_name = _("Platform registry")

    def ready(self) -> None:
        from youthsafe.core import audit
        from youthsafe.core.roles import Permission
        from youthsafe.registry.services import PERSONAL_FIELDS

        audit.register_personal("registry.platform", PERSONAL_FIELDS, Permission.PLATFORM_VIEW_CONTACTS)
