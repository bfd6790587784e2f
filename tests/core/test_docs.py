from django.core.management import call_command


def test_state_diagrams_in_docs_are_generated_from_the_current_code(db):
    call_command("state_diagrams", "--check")
