"""Behaviour of the public API beyond the reference comparisons."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from zoneops.complexity import ComplexityWarning, compute, compute_matrix
from zoneops.complexity import spectral as spectral_module
from zoneops.complexity.network import neighbour_weights


def synthetic_matrix(seed: int, n_loc: int, n_prod: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scale = np.outer(rng.lognormal(0, 1, n_loc), rng.lognormal(0, 1, n_prod))
    return scale * rng.lognormal(0, 1.5, (n_loc, n_prod)) * (rng.random((n_loc, n_prod)) < 0.5)


def labelled(values: np.ndarray, **options: object):  # type: ignore[no-untyped-def]
    n_loc, n_prod = values.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        return compute_matrix(
            values=values,
            locations=[f"z{i:03d}" for i in range(n_loc)],
            products=[f"i{j:03d}" for j in range(n_prod)],
            **options,  # type: ignore[arg-type]
        )


def test_sparse_and_dense_inputs_agree() -> None:
    values = synthetic_matrix(1, 80, 50)
    dense = labelled(values)
    for sparse in (sp.csr_array(values), sp.coo_matrix(values)):
        other = labelled(sparse)
        for name in ("rca", "eci", "pci", "density", "coi", "cog", "proximity"):
            np.testing.assert_allclose(getattr(other, name), getattr(dense, name), rtol=1e-12, atol=1e-13)
        np.testing.assert_array_equal(other.mcp, dense.mcp)


def test_location_profile_for_one_zone() -> None:
    result = labelled(synthetic_matrix(2, 40, 30))
    zone = result.location("z007")
    i = result.location_index("z007")
    np.testing.assert_array_equal(zone.rca, result.rca[i])
    np.testing.assert_array_equal(zone.distance, 1.0 - result.density[i])
    np.testing.assert_array_equal(zone.distance, result.distance[i])
    np.testing.assert_array_equal(zone.pci, result.pci)
    np.testing.assert_array_equal(zone.cog, result.cog[i])
    assert zone.eci == result.eci[i]
    assert zone.coi == result.coi[i]
    assert zone.diversity == int(zone.mcp.sum())
    # COG is an opportunity measure: zero where the zone already has the industry.
    assert (zone.cog[zone.mcp] == 0).all()
    with pytest.raises(KeyError, match="location 'nowhere' is not in period None"):
        result.location("nowhere")


def test_results_are_read_only() -> None:
    result = labelled(synthetic_matrix(3, 20, 20))
    with pytest.raises(ValueError, match="read-only"):
        result.density[0, 0] = 1.0


def test_eigen_solver_matches_a_dense_reference() -> None:
    """Both sides of the solver (products fewer than locations, and the reverse) and both B layouts."""
    for shape in ((60, 25), (25, 60)):
        values = synthetic_matrix(4, *shape)
        result = labelled(values, convention="ecomplexity")
        m = result.mcp.astype(float)
        mpp = (m / m.sum(axis=0)).T @ (m / m.sum(axis=1, keepdims=True))
        eigenvalues, eigenvectors = np.linalg.eig(mpp)
        kp = np.real(eigenvectors[:, np.argsort(np.real(eigenvalues))[-2]])
        kc = (m / m.sum(axis=1, keepdims=True)) @ kp
        sign = np.sign(np.corrcoef(m.sum(axis=1), kc)[0, 1])
        expected = (sign * kc - (sign * kc).mean()) / (sign * kc).std()
        np.testing.assert_allclose(result.eci, expected, atol=1e-9)


@pytest.mark.parametrize("shape", [(70, 40), (40, 70)], ids=["product-side", "location-side"])
def test_every_eigen_path_agrees(monkeypatch: pytest.MonkeyPatch, shape: tuple[int, int]) -> None:
    """The formed Gram matrix and the Lanczos operator on B, with B as CSR or dense, give the same vectors."""
    values = synthetic_matrix(5, *shape)
    results = []
    for gram, sparse_below in ((True, 0.3), (False, 1.0), (False, 0.0)):
        monkeypatch.setattr(spectral_module, "_gram_is_cheaper", lambda *_, gram=gram: gram)
        monkeypatch.setattr(spectral_module, "_SPARSE_B_DENSITY", sparse_below)
        results.append(labelled(values))
    for other in results[1:]:
        np.testing.assert_allclose(other.eci, results[0].eci, atol=1e-12)
        np.testing.assert_allclose(other.pci, results[0].pci, atol=1e-12)


def test_gram_cost_model_picks_the_small_side_gram_only_when_cheap() -> None:
    # 300 x 1000 (the benchmark's shape): forming the 300 x 300 Gram matrix is far cheaper than ~100 steps.
    assert spectral_module._gram_is_cheaper(300, 1000, 0.2)
    # 1400 products x 3000 locations at 8 % presence: 100 sparse steps beat a 1400 x 1400 x 3000 SYRK.
    assert not spectral_module._gram_is_cheaper(1400, 3000, 0.08)


def test_conventions_differ_as_documented() -> None:
    values = synthetic_matrix(6, 50, 40)
    stata = labelled(values)
    ecx = labelled(values, convention="ecomplexity")
    assert (np.diag(stata.proximity) == 0).all()
    assert (np.diag(ecx.proximity) == 1).all()
    n_loc, n_prod = stata.mcp.shape
    # Same eigenvector; only the spread differs: sample sd over N*P stacked rows vs population sd.
    factor = np.sqrt(n_loc * n_prod / (n_loc * n_prod - 1))
    np.testing.assert_allclose(ecx.eci, stata.eci * factor, atol=1e-10)
    # The presence rule: an RCA exactly at the threshold is present for ecomplexity only.
    row = stata.location("z000")
    at = float(np.sort(row.rca)[-2])  # z000's second-highest RCA, so z000 keeps its top product either way
    product = row.products[int(np.flatnonzero(row.rca == at)[0])]
    for convention, expected in (("stata", False), ("ecomplexity", True)):
        zone = labelled(values, convention=convention, threshold=at).location("z000")
        assert bool(zone.mcp[zone.products == product][0]) is expected


def test_explicit_rule_overrides_the_convention() -> None:
    values = synthetic_matrix(7, 30, 30)
    a = labelled(values, rule=">=")
    b = labelled(values, convention="ecomplexity")
    np.testing.assert_array_equal(a.mcp, b.mcp)


def test_ecomplexity_knn_takes_exactly_k_with_ties_to_the_lower_index() -> None:
    phi = np.array(
        [
            [1.0, 0.5, 0.5, 0.5, 0.2],
            [0.5, 1.0, 0.9, 0.1, 0.1],
            [0.5, 0.9, 1.0, 0.3, 0.3],
            [0.5, 0.1, 0.3, 1.0, 0.3],
            [0.2, 0.1, 0.3, 0.3, 1.0],
        ]
    )
    kept = neighbour_weights(phi, 2, "ecomplexity") > 0
    assert kept.sum(axis=1).tolist() == [2, 2, 2, 2, 2]
    assert np.flatnonzero(kept[0]).tolist() == [1, 2]  # three tied at 0.5: the two lowest indices
    assert np.flatnonzero(kept[4]).tolist() == [2, 3]
    assert not kept.diagonal().any()


def test_knn_density_is_proximity_weighted() -> None:
    values = synthetic_matrix(8, 60, 30)
    result = labelled(values, knn=5, convention="ecomplexity")
    plain = labelled(values, convention="ecomplexity")
    phi = plain.proximity.copy()
    np.fill_diagonal(phi, -np.inf)
    top = np.argsort(-phi, axis=1, kind="stable")[:, :5]
    weights = np.zeros_like(phi)
    np.put_along_axis(weights, top, np.take_along_axis(plain.proximity, top, axis=1), axis=1)
    expected = result.mcp.astype(float) @ (weights / weights.sum(axis=1, keepdims=True)).T
    np.testing.assert_allclose(result.density, expected, atol=1e-12)


def test_panel_periods_are_independent() -> None:
    rows = []
    for year, seed in ((2020, 9), (2021, 10)):
        values = synthetic_matrix(seed, 30, 20)
        li, pi = np.nonzero(values)
        rows.append(pd.DataFrame({"t": year, "zone": li, "ind": pi, "v": values[li, pi]}))
    data = pd.concat(rows, ignore_index=True)
    panel = compute(data=data, time="t", loc="zone", prod="ind", val="v")
    alone = compute(data=data[data["t"] == 2021], time="t", loc="zone", prod="ind", val="v")
    np.testing.assert_array_equal(panel.period(2021).eci, alone.period(2021).eci)
    frame = panel.to_frame()
    assert list(frame.columns) == [
        "t",
        "zone",
        "ind",
        "rca",
        "mcp",
        "diversity",
        "ubiquity",
        "eci",
        "pci",
        "density",
        "coi",
        "cog",
    ]
    assert len(frame) == sum(r.mcp.size for r in panel.periods)
    assert frame["t"].tolist() == sorted(frame["t"].tolist())
    with pytest.raises(KeyError, match="period 1999 is not in the panel"):
        panel.period(1999)


def test_rpop_column_appears_with_population() -> None:
    values = synthetic_matrix(11, 20, 15)
    li, pi = np.nonzero(values)
    data = pd.DataFrame({"t": 1, "zone": li, "ind": pi, "v": values[li, pi]})
    pop = pd.DataFrame({"t": 1, "zone": np.arange(20), "pop": values.sum(axis=1)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        frame = compute(
            data=data, time="t", loc="zone", prod="ind", val="v", population=pop, presence="rpop"
        ).to_frame()
    assert list(frame.columns[3:5]) == ["rca", "rpop"]
    # With population proportional to activity, RPOP is RCA.
    np.testing.assert_allclose(frame["rpop"], frame["rca"], rtol=1e-12)


def test_large_sparse_year_stays_sparse_until_the_dense_steps() -> None:
    """3000 x 1400 at 1 % fill as CSR: runs, and the outputs have the expected shapes and invariants."""
    rng = np.random.default_rng(12)
    n_loc, n_prod, nnz = 3000, 1400, 42_000
    flat = rng.choice(n_loc * n_prod, nnz, replace=False)
    values = sp.csr_array((rng.lognormal(0, 1, nnz), (flat // n_prod, flat % n_prod)), shape=(n_loc, n_prod))
    result = labelled(values)
    assert result.density.shape == result.cog.shape == result.mcp.shape
    assert abs(float(result.eci.mean())) < 1e-9


def long_panel(seed: int, n_loc: int, n_prod: int, years: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(years):
        values = synthetic_matrix(int(rng.integers(1 << 30)), n_loc, n_prod)
        li, pi = np.nonzero(values)
        rows.append(
            pd.DataFrame(
                {
                    "t": np.int32(2000 + t),
                    "zone": pd.array([f"z{i:02d}" for i in li], dtype="str"),
                    "ind": (pi + 10).astype(np.int32),
                    "v": values[li, pi],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def panel_frame(data: pd.DataFrame, **options: object) -> tuple[object, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        panel = compute(data=data, time="t", loc="zone", prod="ind", val="v", **options)  # type: ignore[arg-type]
    return panel, panel.to_frame()


def test_row_order_does_not_matter() -> None:
    """Rows shuffled across periods give the same panel as rows sorted by period (and the same frame)."""
    data = long_panel(20, 25, 18, 3)
    _, ordered = panel_frame(data)
    shuffled = data.sample(frac=1.0, random_state=3).reset_index(drop=True)
    _, mixed = panel_frame(shuffled)
    pd.testing.assert_frame_equal(mixed, ordered)


def test_output_keys_keep_the_input_dtypes() -> None:
    data = long_panel(21, 12, 9, 2)
    panel, frame = panel_frame(data)
    assert frame["t"].dtype == np.int32
    assert frame["zone"].dtype == data["zone"].dtype
    assert frame["ind"].dtype == np.int32
    assert frame["mcp"].dtype == np.int8
    pd.testing.assert_frame_equal(pd.concat(panel.frames(), ignore_index=True), frame)  # type: ignore[attr-defined]


def test_frame_rows_follow_each_period_s_own_labels() -> None:
    """A location dropped in one period only: every row still carries its own period's values."""
    data = long_panel(22, 10, 8, 2)
    silent = (data["t"] == 2000) & (data["zone"] == "z03")
    data.loc[silent, "v"] = 0.0
    panel, frame = panel_frame(data)
    assert "z03" not in set(frame.loc[frame["t"] == 2000, "zone"])
    for result in panel.periods:  # type: ignore[attr-defined]
        rows = frame[frame["t"] == result.time]
        assert list(rows["zone"].iloc[:: len(result.products)]) == list(result.locations)
        assert list(rows["ind"].iloc[: len(result.products)]) == list(result.products)
        np.testing.assert_array_equal(rows["density"].to_numpy(), result.density.ravel())
        np.testing.assert_array_equal(rows["eci"].to_numpy(), np.repeat(result.eci, len(result.products)))
        np.testing.assert_array_equal(
            rows["ubiquity"].to_numpy(), np.tile(result.ubiquity, len(result.locations))
        )


def test_panel_without_key_labels_builds_the_same_frame() -> None:
    from zoneops.complexity.panel import ComplexityPanel

    data = long_panel(23, 10, 8, 2)
    panel, frame = panel_frame(data)
    bare = ComplexityPanel(time_column="t", loc_column="zone", prod_column="ind", periods=panel.periods)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(bare.to_frame(), frame, check_dtype=False)


def test_duplicate_rows_are_found_in_any_period_and_any_row_order() -> None:
    data = long_panel(24, 10, 8, 3)
    twin = data[data["t"] == 2001].iloc[[4]]
    data = pd.concat([data, twin], ignore_index=True).sample(frac=1.0, random_state=5)
    zone, ind = twin["zone"].iloc[0], twin["ind"].iloc[0]
    with pytest.raises(ValueError, match=f"^more than one row for t=2001, zone='{zone}', ind={ind}$"):
        panel_frame(data)
