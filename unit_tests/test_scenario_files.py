"""The standard tests' scenario files are generated (`make fixtures`, integration_tests/scenarios.py), never edited
by hand: a new profile gets its sample config, catalog and acceptance entries from the registry and `discover`."""

import pytest

from integration_tests import scenarios


def test_the_committed_scenario_files_are_what_make_fixtures_writes():
    files = scenarios.render()
    stale = [str(path.relative_to(scenarios.REPO)) for path in scenarios.stale(files) + scenarios.leftovers(files)]
    assert not stale, f"run `make fixtures`: {stale}"


def test_a_pyproject_without_its_read_scenarios_line_is_refused_not_passed_over():
    with pytest.raises(ValueError, match="--read-scenarios"):
        scenarios.pyproject('[tool.pytest.ini_options]\naddopts = "-ra"\n')


def test_a_scenario_file_edited_by_hand_is_named_stale(tmp_path):
    edited, kept = tmp_path / "sample_config.json", tmp_path / "abnormal_state.json"
    edited.write_text('{"api": "tracking"}\n')
    kept.write_text("[]\n")
    assert scenarios.stale({edited: '{"api": "meetings"}\n', kept: "[]\n", tmp_path / "missing.json": "{}\n"}) == [
        edited, tmp_path / "missing.json"]


def test_a_readme_without_its_generated_table_is_refused_not_passed_over():
    with pytest.raises(ValueError, match="profile table"):
        scenarios.readme("# source-analytics\n| profile | streams |\n")
