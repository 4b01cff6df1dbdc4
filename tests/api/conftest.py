# The API client and the offers of the cast, shared with the offers tests.
from ..offers.conftest import api, draft_de, draft_jp, offer_de, offer_jp  # noqa: F401
