"""``makemessages`` that also extracts ``_l(...)``: the project's alias for ``gettext_lazy`` (models, forms and
step tables use it), which xgettext does not know."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
