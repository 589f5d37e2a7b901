"""Every change to alerts is one ``do_*`` call: permission, jurisdiction, transition, audit row, commit,
notifications after commit (style-anchors rule 3). The submodules hold one aggregate each."""

from youthsafe.alerts.services.intake import on_post_scanned

__all__ = ["on_post_scanned"]
