"""`corelet check FILE -p cell=NAME`: a neuron template chosen by name on the command line."""

import pytest

pytestmark = pytest.mark.slow  # every test here spawns the corelet program

GATES = """\
neuron and2 { weights = [1, 0, 0, 0]; threshold = 2 }
neuron or2 { weights = [1, 0, 0, 0]; threshold = 1 }

corelet Gate(cell: neuron, n: int = 2) {
    input x[n]
    output y
    neurons h = cell
    x -> h
    y = h
}
"""


def test_check_elaborates_with_the_named_template(corelet, tmp_path):
    (tmp_path / "gate.corelet").write_text(GATES)
    proc = corelet("check", "gate.corelet", "-p", "cell=and2")
    assert proc.returncode == 0, proc.stderr
    assert "corelet      Gate" in proc.stdout and "neurons      1 in 1 population(s)" in proc.stdout


def test_compile_writes_the_named_templates_threshold(corelet, tmp_path):
    import json

    (tmp_path / "gate.corelet").write_text(GATES)
    for name, threshold in (("and2", 2), ("or2", 1)):
        proc = corelet("compile", "gate.corelet", "-p", f"cell={name}", "-o", f"{name}.json")
        assert proc.returncode == 0, proc.stderr
        model = json.loads((tmp_path / f"{name}.json").read_text())
        assert model["provenance"]["parameters"] == {"cell": name}
        assert [t["threshold"] for t in model["neuron_types"]] == [threshold]


def test_an_unknown_template_exits_1_with_the_hint(corelet, tmp_path):
    (tmp_path / "gate.corelet").write_text(GATES)
    proc = corelet("check", "gate.corelet", "-p", "cell=and3")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.splitlines()[:4] == [
        "gate.corelet:4:14: error: unknown template `and3` (the value given for parameter `cell` "
        "of `Gate`)",
        "    corelet Gate(cell: neuron, n: int = 2) {",
        "                 ^^^^^^^^^^^^",
        "hint: did you mean `and2`? the templates are `and2`, `or2`",
    ]
