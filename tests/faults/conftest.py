from tests.disputes.conftest import guarantee  # noqa: F401 - the fixture, shared
