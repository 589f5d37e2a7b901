from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from youthsafe.core.roles import Permission


class RegistryConfig(AppConfig):
    name = "youthsafe.registry"
    label = "registry"
    verbose_name = _("Platform registry")

    def ready(self) -> None:
        # Reading a platform's security officer contacts is audited and needs its own permission.
        from youthsafe.core import audit  # noqa: PLC0415  (app loading: audit imports models, ready only now)
        from youthsafe.registry.services import PERSONAL_FIELDS  # noqa: PLC0415  (app loading, as above)

        audit.register_personal("registry.platform", PERSONAL_FIELDS, Permission.PLATFORM_VIEW_CONTACTS)
