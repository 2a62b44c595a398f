"""A role's title inside a sentence ("No one holds the role of family liaison: assign it")."""

from web.incidents.incident_page import in_running_text


def test_a_title_reads_in_lower_case_unless_it_starts_with_an_acronym():
    assert in_running_text("Public information officer") == "public information officer"
    assert in_running_text("PIO deputy") == "PIO deputy"
    assert in_running_text("IT lead") == "IT lead"
    assert in_running_text("A") == "a"
