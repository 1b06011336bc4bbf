"""Claims of the test e-ID provider: the citizen's name and personal ID number."""

from __future__ import annotations

from typing import Any, ClassVar

from oauth2_provider.oauth2_validators import OAuth2Validator


class EidValidator(OAuth2Validator):
    # The personal ID number travels with the "profile" scope, as the e-ID's does.
    oidc_claim_scope: ClassVar[dict[str, str]] = {
        **OAuth2Validator.oidc_claim_scope,
        "id_number": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        # The test provider keeps the full name in first_name and the ID number in last_name.
        return {"name": user.first_name, "id_number": user.last_name, "email": user.email}
