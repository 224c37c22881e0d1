"""Input-output linkages against pymrio's bundled test MRIO and a hand-checked two-sector table."""

from __future__ import annotations

import re

import numpy as np
import pytest

from zoneops.complexity import ComplexityInputError, linkages


def test_against_pymrio_test_system() -> None:
    pymrio = pytest.importorskip("pymrio", reason="pymrio (test-only dependency) is not installed")
    io = pymrio.load_test()  # ships inside the package: no network
    io.calc_all()
    z = io.Z.to_numpy()
    x = io.x.to_numpy().ravel()
    result = linkages(flows=z, output=x, sectors=[f"{r}/{s}" for r, s in io.Z.index])
    np.testing.assert_allclose(result.technical_coefficients, io.A.to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.leontief_inverse, io.L.to_numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(result.output_multiplier, io.L.to_numpy().sum(axis=0), rtol=1e-10)
    b = pymrio.calc_B(io.Z, io.x).to_numpy()
    np.testing.assert_allclose(result.allocation_coefficients, b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.ghosh_inverse, pymrio.calc_G(b), rtol=1e-10, atol=1e-13)
    # Leontief and Ghosh inverses are similar: G = diag(x)^-1 L diag(x).
    np.testing.assert_allclose(
        result.ghosh_inverse, result.leontief_inverse * x[None, :] / x[:, None], rtol=1e-9
    )
    assert result.backward_linkage.mean() == pytest.approx(1.0)
    assert result.forward_linkage.mean() == pytest.approx(1.0)


def test_two_sector_textbook_table() -> None:
    # Z and x of the classic two-sector example: A = [[.15, .25], [.2, .05]].
    result = linkages(
        flows=[[150.0, 500.0], [200.0, 100.0]], output=[1000.0, 2000.0], sectors=["agri", "manu"]
    )
    np.testing.assert_allclose(result.technical_coefficients, [[0.15, 0.25], [0.2, 0.05]])
    det = 0.85 * 0.95 - 0.25 * 0.2
    np.testing.assert_allclose(result.leontief_inverse, np.array([[0.95, 0.25], [0.2, 0.85]]) / det)
    np.testing.assert_allclose(result.output_multiplier, [1.15 / det, 1.10 / det])
    np.testing.assert_allclose(result.backward_linkage, [2 * 1.15 / 2.25, 2 * 1.10 / 2.25])
    assert result.key_sector.tolist() == ["key", "weak"] or result.key_sector[0] in (
        "key",
        "backward-oriented",
    )


def test_key_sector_classes() -> None:
    # Sector 0 buys a lot and sells a lot; 1 only buys; 2 only sells; 3 is nearly self-contained.
    z = np.array(
        [
            [20.0, 30.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0],
            [40.0, 25.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, 1.0],
        ]
    )
    result = linkages(flows=z, output=[100.0, 100.0, 100.0, 100.0], sectors=list("abcd"))
    assert result.key_sector.tolist() == ["key", "backward-oriented", "forward-oriented", "weak"]
    leontief = linkages(flows=z, output=[100.0] * 4, sectors=list("abcd"), forward="leontief")
    np.testing.assert_allclose(
        leontief.forward_linkage, 4 * leontief.leontief_inverse.sum(axis=1) / leontief.leontief_inverse.sum()
    )


def test_zero_output_sector_is_inactive() -> None:
    z = [[10.0, 20.0, 0.0], [30.0, 5.0, 0.0], [0.0, 0.0, 0.0]]
    result = linkages(flows=z, output=[100.0, 80.0, 0.0], sectors=["a", "b", "idle"])
    assert result.active.tolist() == [True, True, False]
    assert result.key_sector[2] == "inactive"
    assert result.output_multiplier[2] == 1.0
    assert result.backward_linkage[2] == 0.0
    assert result.forward_linkage[2] == 0.0
    assert np.isfinite(result.leontief_inverse).all()
    # The indices of active sectors are normalised over active sectors only.
    assert result.backward_linkage[:2].mean() == pytest.approx(1.0)


def refused(message: str) -> pytest.RaisesExc[ComplexityInputError]:
    return pytest.raises(ComplexityInputError, match=f"^{re.escape(message)}$")


def test_refusals() -> None:
    with refused("sector 'idle' has zero output but records inputs or sales in the flow matrix"):
        linkages(flows=[[1.0, 2.0], [3.0, 0.0]], output=[10.0, 0.0], sectors=["a", "idle"])
    with refused("I - A (Leontief) is singular: the table has a closed, self-sustaining loop"):
        linkages(flows=[[0.0, 10.0], [10.0, 0.0]], output=[10.0, 10.0])
    with refused("the flow matrix must be square; got shape (2, 3)"):
        linkages(flows=np.ones((2, 3)), output=[1.0, 1.0])
    with refused("negative flow -1.0 from 'a' to 'b'"):
        linkages(flows=[[0.0, -1.0], [0.0, 0.0]], output=[1.0, 1.0], sectors=["a", "b"])
    with refused("flow from 'b' to 'a' is missing or not finite"):
        linkages(flows=[[0.0, 0.0], [np.nan, 0.0]], output=[1.0, 1.0], sectors=["a", "b"])
    with refused("output of sector 'b' must be finite and >= 0; got -5.0"):
        linkages(flows=[[0.0, 0.0], [0.0, 0.0]], output=[1.0, -5.0], sectors=["a", "b"])
    with refused("2 sectors in the flow matrix but 3 output values"):
        linkages(flows=np.zeros((2, 2)), output=[1.0, 1.0, 1.0])
    with refused("every sector has zero output"):
        linkages(flows=np.zeros((2, 2)), output=[0.0, 0.0])
    with refused("forward must be 'ghosh' or 'leontief'; got 'both'"):
        linkages(flows=np.zeros((2, 2)), output=[1.0, 1.0], forward="both")  # type: ignore[arg-type]
