from tests.audits.conftest import in_review, requested  # noqa: F401 - the fixtures, shared
from tests.disputes.conftest import guarantee  # noqa: F401 - the fixture, shared
