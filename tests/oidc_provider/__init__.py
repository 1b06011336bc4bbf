"""A tiny, real OpenID Connect provider (django-oauth-toolkit) for the e-ID login tests.

Started by the tests as a separate process on 127.0.0.1:<free port> (``serve.py``); it plays
the national e-ID (VNeID-style) provider: discovery, authorization code with PKCE, RS256 ID
tokens carrying the personal ID number claim, JWKS.
"""
