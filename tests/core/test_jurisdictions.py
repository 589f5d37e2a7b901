from __future__ import annotations

from tests.conftest import Tree
from youthsafe.core.models import Jurisdiction, JurisdictionKind


def test_paths_form_a_tree(tree: Tree) -> None:
    assert tree.station.path.startswith(tree.north.path)
    assert tree.north.path.startswith(tree.city.path)
    assert not tree.south.path.startswith(tree.north.path)
    assert tree.station.depth == 2
    assert set(tree.city.subtree()) == {tree.city, tree.north, tree.south, tree.station}
    assert tree.station.is_within(tree.city)
    assert not tree.station.is_within(tree.south)
    assert [j.code for j in tree.station.ancestors()] == ["JC", "JC-N", "JC-N-1"]
    assert tree.station.label == "江城市 / 江北区 / 江北派出所"


def test_moving_a_node_moves_its_subtree(tree: Tree) -> None:
    tree.north.parent = tree.other_city
    tree.north.save()
    station = Jurisdiction.objects.get(pk=tree.station.pk)
    assert station.is_within(tree.other_city)
    assert not station.is_within(tree.city)
    assert set(tree.city.subtree()) == {tree.city, tree.south}


def test_new_node_under_other_city(tree: Tree) -> None:
    unit = Jurisdiction.objects.create(code="HZ-1", name="海州网安", kind=JurisdictionKind.UNIT, parent=tree.other_city)
    assert unit.is_within(tree.other_city)
