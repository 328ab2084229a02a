"""The corelet program as a user meets it: help, estimates, and bad input (a readable message, exit
1 or 2 for usage, no traceback, no output file left behind)."""

import pytest

pytestmark = pytest.mark.slow  # every test here spawns the corelet program


def assert_clean_failure(proc, code=1):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stdout == "" or "wrote" not in proc.stdout


def test_help_lists_subcommands(corelet):
    proc = corelet("--help")
    assert proc.returncode == 0
    for command in ("check", "compile", "run", "report", "show"):
        assert command in proc.stdout


def test_version(corelet):
    proc = corelet("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("corelet ")


def test_run_missing_model(corelet, tmp_path):
    proc = corelet("run", "nothere.json", "--ticks", "5", "-o", "out.npz")
    assert_clean_failure(proc)
    assert proc.stderr.startswith("nothere.json: error: no such file")
    assert not (tmp_path / "out.npz").exists()


def test_run_non_json_model(corelet, tmp_path):
    (tmp_path / "bad.json").write_text("{ this is not json")
    proc = corelet("run", "bad.json", "--ticks", "5", "-o", "out.npz")
    assert_clean_failure(proc)
    assert proc.stderr.startswith("bad.json: error: not a JSON chip model")
    assert not (tmp_path / "out.npz").exists()


def test_run_wrong_version(corelet, tmp_path):
    (tmp_path / "m.json").write_text('{"format": "corelet-chip-model", "version": 3}')
    proc = corelet("run", "m.json", "--ticks", "5", "-o", "out.npz")
    assert_clean_failure(proc)
    assert "version 3 is not supported" in proc.stderr


def test_usage_error_exits_2(corelet):
    proc = corelet("run", "m.json")
    assert proc.returncode == 2 and "--ticks" in proc.stderr


def test_debug_shows_traceback(corelet):
    proc = corelet("--debug", "run", "nothere.json", "--ticks", "5", "-o", "out.npz")
    assert proc.returncode == 1 and "Traceback" in proc.stderr


def test_compile_malformed_file(corelet, tmp_path):
    (tmp_path / "bad.corelet").write_text("corelet Broken() {\n    input x[2]\n    output y[1\n}\n")
    proc = corelet("compile", "bad.corelet", "-o", "m.json", "--report", "r.html")
    assert_clean_failure(proc)
    first = proc.stderr.splitlines()[0]
    assert first.startswith("bad.corelet:") and ": error: " in first
    assert "^" in proc.stderr  # the caret under the offending place
    assert not (tmp_path / "m.json").exists() and not (tmp_path / "r.html").exists()


def test_compile_missing_file(corelet, tmp_path):
    proc = corelet("compile", "nothere.corelet", "-o", "m.json")
    assert_clean_failure(proc)
    assert "nothere.corelet" in proc.stderr
    assert not (tmp_path / "m.json").exists()


def test_unknown_placer_is_a_usage_error(corelet):
    proc = corelet("compile", "x.corelet", "-o", "m.json", "--placer", "magic")
    assert proc.returncode == 2 and "unknown placer 'magic'" in proc.stderr


FAN_IN = """neuron sum { weights = [1, 0, 0, 0]; threshold = 100 }

corelet Wide() {
    input  x[300]
    output y[2]
    neurons h[2] = sum
    x[i] -> h[0] for i in 0..300
    x[0] -> h[1]
    y = h
}
"""


def test_placement_failure_names_the_neuron_and_still_writes_the_report(corelet, tmp_path):
    (tmp_path / "wide.corelet").write_text(FAN_IN)
    proc = corelet("compile", "wide.corelet", "-o", "m.json", "--report-text", "r.txt")
    assert_clean_failure(proc)
    assert "neuron h[0] of corelet 'Wide' needs 300 distinct input axons; a core has 256" in proc.stderr
    assert "wide.corelet:6:5" in proc.stderr and "partial sums" in proc.stderr
    assert not (tmp_path / "m.json").exists()
    report = (tmp_path / "r.txt").read_text()
    assert "placement failed" in report and "neurons     2 of 256" in report


def test_placement_failure_prints_the_declaration_with_a_caret(corelet, tmp_path):
    (tmp_path / "wide.corelet").write_text(FAN_IN)
    proc = corelet("compile", "wide.corelet", "-o", "m.json")
    assert_clean_failure(proc)
    assert proc.stderr == (
        "wide.corelet:6:5: error: neuron h[0] of corelet 'Wide' needs 300 distinct input axons; "
        "a core has 256\n"
        "        neurons h[2] = sum\n"
        "        ^^^^^^^^^^^^^^^^^^\n"
        "hint: a neuron fires at most once per tick, so its fan-in cannot be split by the "
        "compiler; split it inside the corelet into partial sums over at most 256 inputs each "
        "(AXONS_PER_CORE), as the IC module of the spike-based LSTM does\n")


def test_an_error_about_a_file_puts_the_file_first(corelet, tmp_path):
    (tmp_path / "m.json").write_text('{"format": "something else"}')
    proc = corelet("run", "m.json", "--ticks", "5", "-o", "out.npz")
    assert_clean_failure(proc)
    assert proc.stderr == ("m.json: error: not a chip model "
                           "(expected \"format\": \"corelet-chip-model\")\n")


def test_an_error_without_any_place_gets_the_command_title(corelet, tmp_path):
    proc = corelet("run", "m.json", "--ticks", "5", "--batch", "0", "-o", "out.npz")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("corelet run: ")


def test_estimate_prints_cores_and_writes_nothing(corelet, tmp_path):
    from tests.e2e.test_skeleton import EXAMPLE

    proc = corelet("compile", EXAMPLE, "--estimate")
    assert proc.returncode == 0, proc.stderr
    # a feeds both the output and c: one copy on the chip
    assert "cores      1 on 1 chip(s)" in proc.stdout and "3 + 1 copies + 0 relays" in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_warnings_print_rendered_with_their_caret(corelet, tmp_path):
    source = tmp_path / "spare.corelet"
    source.write_text("neuron pass { weights = [1, 0, 0, 0] }\n"
                      "corelet B() {\n"
                      "    input x[2]; input spare[2]; output y[2]\n"
                      "    neurons h[2] = pass\n"
                      "    x -> h\n"
                      "    y = h\n"
                      "}\n", encoding="utf-8")
    proc = corelet("check", source)
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [
        f"{source}:3:17: warning: input `spare` is never used",
        "        input x[2]; input spare[2]; output y[2]",
        "                    ^^^^^^^^^^^^^^",
    ]

