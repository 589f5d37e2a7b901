"""The route description used by the shared access matrix (tests/core/test_access_matrix.py).

Feature apps list their routes in ``tests/<app>/access_routes.py`` as ``ROUTES: list[Route]`` and may define
``make_objects(*, tree, admin, own, other) -> dict[str, int]`` returning the ids of records in the district
``tree.north`` that their path placeholders name (for example ``{"inspection": 12}``).
"""

from __future__ import annotations

from dataclasses import dataclass

from youthsafe.core.roles import Permission


@dataclass(frozen=True)
class Route:
    name: str  # URL name for HTML views, "METHOD /api/path" for API routes
    path: str  # with {platform} / {user} / {jurisdiction} placeholders for the record under test
    permission: Permission
    method: str = "get"
    scoped: bool = False  # works on one record of a jurisdiction: a sibling gets 404
    lists: bool = False  # lists records: a sibling's list omits the record
    body: str | None = None
    marker: str = "本辖区平台"  # text of the own-jurisdiction record a list must show
    other_marker: str = "兄弟辖区平台"  # text of the sibling's record a list must not show
    # Authenticated by an API token, not a session (the push API): the token's scope decides, so the matrix
    # only checks that an anonymous caller gets 401; the app's own tests cover tokens and scopes.
    token_auth: bool = False
    # Open to everyone by design (the public report form and its API): anonymous callers are served, so the
    # matrix checks that they get no login redirect, 401 or 403 and no server error.
    public: bool = False

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


