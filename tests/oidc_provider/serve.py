"""Run the test OpenID Connect provider: ``python -m tests.oidc_provider.serve PORT CONFIG``.

CONFIG is a JSON file with the client (id, secret, redirect URIs) and the users to create.
Prints ``READY`` once it listens. A fresh SQLite database and RSA key every start.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from wsgiref.simple_server import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    port = int(sys.argv[1])
    config = json.loads(open(sys.argv[2], encoding="utf-8").read())  # noqa: SIM115
    tmp = tempfile.mkdtemp(prefix="oidc-provider-")
    os.environ["OIDC_PROVIDER_DB"] = os.path.join(tmp, "provider.sqlite3")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["OIDC_PROVIDER_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for u in config["users"]:
        User.objects.create_user(
            username=u["username"],
            password=u["password"],
            first_name=u["name"],
            last_name=u["id_number"],
            email=u.get("email", ""),
        )
    Application.objects.create(
        name="CQS",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(config["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=QuietHandler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
