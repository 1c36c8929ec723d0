import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import alignlab
from alignlab.lab import STATIC_DIR, decode_surface
from tests.lab.conftest import SMALL_GRID


def _run_json(experiment: str, **kwargs: object) -> dict:  # type: ignore[type-arg]
    return json.loads(json.dumps(alignlab.run(experiment, **kwargs).to_dict()))  # type: ignore[arg-type]


def test_experiments_lists_every_registered_schema(client: TestClient) -> None:
    response = client.get("/api/experiments")
    assert response.status_code == 200
    listed = response.json()
    assert [e["id"] for e in listed] == [s.id for s in alignlab.experiments()]
    assert {"labtoy", "toy"} <= {e["id"] for e in listed}
    for entry in listed:
        assert entry == json.loads(json.dumps(alignlab.get(entry["id"]).to_dict()))


def test_run_matches_library_and_is_deterministic(client: TestClient) -> None:
    body = {
        "experiment": "labtoy",
        "params": {"pressure": 0.7, "fidelity": 0.2, "oversight": 0.1},
        "options": {"tail": "light", "audit": True, "scale": 1.5},
        "seed": 11,
    }
    first = client.post("/api/run", json=body)
    second = client.post("/api/run", json=body)
    assert first.status_code == 200
    assert first.json() == second.json()
    expected = _run_json(
        "labtoy",
        pressure=0.7,
        fidelity=0.2,
        oversight=0.1,
        seed=11,
        tail="light",
        audit=True,
        scale=1.5,
    )
    assert first.json() == expected
    assert re.fullmatch(r"run;dur=[0-9.]+", first.headers["server-timing"])
    other_seed = client.post("/api/run", json={**body, "seed": 12}).json()
    assert other_seed["fr"] != expected["fr"] or other_seed["true"] != expected["true"]


def test_run_defaults_fill_missing_fields(client: TestClient) -> None:
    response = client.post("/api/run", json={"experiment": "toy"})
    assert response.status_code == 200
    assert response.json() == _run_json("toy")


@pytest.mark.parametrize(
    "body, needle",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ("[" * 30_000 + "]" * 30_000, "nested too deeply"),
        ('{"params": {}}', "'experiment' must be a string"),
        ('{"experiment": "nope"}', "unknown experiment 'nope'"),
        ('{"experiment": "labtoy", "extra": 1}', "unknown key 'extra'"),
        ('{"experiment": "labtoy", "params": [0.5]}', "'params' must be an object"),
        ('{"experiment": "labtoy", "params": {"temperature": 0.5}}', "unknown slider"),
        ('{"experiment": "labtoy", "params": {"pressure": 1.5}}', "pressure must lie in [0, 1]"),
        ('{"experiment": "labtoy", "params": {"pressure": -0.1}}', "pressure must lie in [0, 1]"),
        ('{"experiment": "labtoy", "params": {"fidelity": "0.5"}}', "fidelity must be a number"),
        ('{"experiment": "labtoy", "params": {"oversight": true}}', "oversight must be a number"),
        ('{"experiment": "labtoy", "params": {"pressure": NaN}}', "finite"),
        ('{"experiment": "labtoy", "seed": -1}', "seed must be a whole number"),
        ('{"experiment": "labtoy", "seed": 1.5}', "seed must be a whole number"),
        ('{"experiment": "labtoy", "seed": "3"}', "seed must be a whole number"),
        ('{"experiment": "labtoy", "seed": 4294967296}', "seed must be a whole number"),
        ('{"experiment": "labtoy", "options": []}', "'options' must be an object"),
        ('{"experiment": "labtoy", "options": {"colour": "red"}}', "unknown option 'colour'"),
        ('{"experiment": "labtoy", "options": {"tail": "fat"}}', "must be one of heavy, light"),
        ('{"experiment": "labtoy", "options": {"audit": "yes"}}', "takes a JSON bool"),
        ('{"experiment": "labtoy", "options": {"scale": "1"}}', "takes a JSON float"),
        ('{"experiment": "labtoy", "options": {"scale": 9}}', "must lie in [0.5, 2.0]"),
    ],
)
def test_run_rejects_invalid_bodies_with_422(client: TestClient, body: str, needle: str) -> None:
    response = client.post("/api/run", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert needle in response.json()["error"]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**33) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
_bodies = st.fixed_dictionaries(
    {},
    optional={
        "experiment": st.sampled_from(["labtoy", "toy", "nope"]) | _json_values,
        "params": st.dictionaries(
            st.sampled_from(["pressure", "fidelity", "oversight", "x"]), _json_values, max_size=3
        )
        | _json_values,
        "options": st.dictionaries(
            st.sampled_from(["tail", "audit", "scale", "x"]), _json_values, max_size=3
        )
        | _json_values,
        "seed": _json_values,
    },
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=_bodies | _json_values)
def test_run_never_answers_500(client: TestClient, body: object) -> None:
    response = client.post(
        "/api/run", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["error"]


def test_run_rejects_oversized_bodies(client: TestClient) -> None:
    response = client.post(
        "/api/run", content=b" " * 70_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "larger than" in response.json()["error"]


def test_surface_layout_and_values_match_runs_at_grid_points(client: TestClient) -> None:
    response = client.get("/api/surface/labtoy", params={"seed": 5, "tail": "light"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    blob = response.content
    assert blob[:4] == b"ALSF"
    header_len = int.from_bytes(blob[4:8], "little")
    assert (8 + header_len) % 4 == 0
    header = json.loads(blob[8 : 8 + header_len])
    surface = decode_surface(blob)
    meta = surface.meta
    assert meta["experiment"] == "labtoy" and meta["seed"] == 5
    assert meta["options"] == {"tail": "light", "audit": False, "scale": 1.0}
    assert meta["stages"] == list(alignlab.core.LOOP_STAGES)
    axes = {k: np.array(v) for k, v in meta["axes"].items()}
    shape = (SMALL_GRID.fidelity, SMALL_GRID.oversight, SMALL_GRID.pressure)
    # Arrays lie back to back after the header, float32, C order.
    offset = 0
    for entry in header["arrays"]:
        assert entry["offset"] == offset
        offset += int(np.prod(entry["shape"])) * 4
    assert len(blob) == 8 + header_len + offset
    for name in ("proxy", "true", "fr", "fr_lo", "fr_hi"):
        assert surface.arrays[name].shape == shape
        assert surface.arrays[name].dtype == np.dtype("<f4")
    assert surface.arrays["loop"].shape == (*shape, 7)
    assert surface.arrays["curve_true"].shape == (*shape[:2], SMALL_GRID.curve)
    for i, f in enumerate(axes["fidelity"]):
        for j, o in enumerate(axes["oversight"]):
            for k, p in enumerate(axes["pressure"]):
                r = alignlab.run(
                    "labtoy", pressure=p, fidelity=f, oversight=o, seed=5, tail="light"
                ).to_dict()
                got = {n: float(surface.arrays[n][i, j, k]) for n in ("proxy", "true", "fr")}
                assert got == pytest.approx(
                    {"proxy": r["proxy"], "true": r["true"], "fr": r["fr"]}, rel=1e-6, abs=1e-6
                )
                assert surface.arrays["fr_lo"][i, j, k] == pytest.approx(r["fr_ci"][0], abs=1e-4)
                loop = [s["value"] for s in r["loop"]]
                np.testing.assert_allclose(surface.arrays["loop"][i, j, k], loop, atol=1e-6)
                if k == 0:
                    curve = r["curve"]
                    expected = np.interp(axes["curve_pressure"], curve["pressure"], curve["true"])
                    np.testing.assert_allclose(
                        surface.arrays["curve_true"][i, j], expected, rtol=1e-5, atol=1e-6
                    )


def test_surface_is_cached_on_disk_across_restarts(labtoy_id: str, tmp_path: Path) -> None:
    from alignlab.lab import create_app

    cache_dir = tmp_path / "cache"
    with TestClient(
        create_app(cache_dir=cache_dir, grid=SMALL_GRID), base_url="http://127.0.0.1"
    ) as first:
        blob = first.get("/api/surface/labtoy?seed=2").content
        assert len(first.app.state.surfaces.computed) == 1  # type: ignore[attr-defined]
    assert len(list(cache_dir.glob("labtoy-*.alsf"))) == 1
    with TestClient(
        create_app(cache_dir=cache_dir, grid=SMALL_GRID), base_url="http://127.0.0.1"
    ) as second:
        assert second.get("/api/surface/labtoy?seed=2").content == blob
        assert second.app.state.surfaces.computed == {}  # type: ignore[attr-defined]
        # Another seed or option is another surface.
        assert second.get("/api/surface/labtoy?seed=3").content != blob
        assert second.get("/api/surface/labtoy?seed=2&audit=true").content != blob
        assert len(second.app.state.surfaces.computed) == 2  # type: ignore[attr-defined]
    # A truncated cache file is recomputed, not served.
    for path in cache_dir.glob("labtoy-*.alsf"):
        path.write_bytes(path.read_bytes()[:40])
    with TestClient(
        create_app(cache_dir=cache_dir, grid=SMALL_GRID), base_url="http://127.0.0.1"
    ) as third:
        recomputed = decode_surface(third.get("/api/surface/labtoy?seed=2").content)
        assert len(third.app.state.surfaces.computed) == 1  # type: ignore[attr-defined]
    original = decode_surface(blob)
    assert recomputed.arrays.keys() == original.arrays.keys()
    for name, array in original.arrays.items():
        np.testing.assert_array_equal(recomputed.arrays[name], array)


@pytest.mark.parametrize(
    "url, status, needle",
    [
        ("/api/surface/nope", 404, "unknown experiment 'nope'"),
        ("/api/surface/labtoy?seed=-3", 422, "seed"),
        ("/api/surface/labtoy?seed=abc", 422, "seed"),
        ("/api/surface/labtoy?colour=red", 422, "unknown option 'colour'"),
        ("/api/surface/labtoy?tail=fat", 422, "must be one of"),
        ("/api/surface/labtoy?scale=7", 422, "must lie in"),
        ("/api/nothing", 404, "Not Found"),
    ],
)
def test_surface_rejects_bad_queries(
    client: TestClient, url: str, status: int, needle: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert needle in response.json()["error"]


def test_page_and_assets_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for asset in re.findall(r'(?:src|href)="(static/[^"]+)"', page.text):
        assert client.get("/" + asset).status_code == 200
    assert (
        client.get("/static/model.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )


def test_assets_load_nothing_from_the_network() -> None:
    # Offline by construction: no asset refers to any host; the SVG namespace is a name.
    for path in Path(STATIC_DIR).iterdir():
        text = path.read_text()
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"')]*", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, (path.name, urls)


def test_grid_is_chosen_by_time_budget(labtoy_id: str, tmp_path: Path) -> None:
    from alignlab.lab import GRID_LADDER, choose_grid, create_app

    spec = alignlab.get(labtoy_id)
    options = spec.schema.defaults()
    assert choose_grid(spec, options, 0, budget_s=1e9) == GRID_LADDER[0]
    assert choose_grid(spec, options, 0, budget_s=0.0) == GRID_LADDER[-1]
    sizes = [g.fidelity * g.oversight * g.pressure for g in GRID_LADDER]
    assert sizes == sorted(sizes, reverse=True)
    with TestClient(
        create_app(cache_dir=tmp_path, budget_s=0.0), base_url="http://127.0.0.1"
    ) as client:
        surface = decode_surface(client.get("/api/surface/labtoy").content)
    coarsest = GRID_LADDER[-1]
    assert surface.arrays["fr"].shape == (coarsest.fidelity, coarsest.oversight, coarsest.pressure)


def test_run_with_seeds_returns_the_seed_band(client: TestClient) -> None:
    body = {"experiment": "labtoy", "params": {"pressure": 0.7}, "seed": 5, "seeds": 3}
    response = client.post("/api/run", json=body)
    assert response.status_code == 200
    expected = alignlab.run_seeds("labtoy", pressure=0.7, seeds=3, seed=5).to_dict()
    assert response.json() == json.loads(json.dumps(expected))
    assert response.json()["seed_band"]["seeds"] == [5, 6, 7]
    single = client.post("/api/run", json={**body, "seeds": 1}).json()
    assert "seed_band" not in single and single["fr"] == expected["fr"]


@pytest.mark.parametrize("seeds", [0, 65, 2.5, "3", True, None])
def test_run_rejects_bad_seed_counts(client: TestClient, seeds: object) -> None:
    body = {"experiment": "labtoy", "seeds": seeds}
    response = client.post("/api/run", json=body)
    assert response.status_code == 422
    assert "seeds" in response.json()["error"]
