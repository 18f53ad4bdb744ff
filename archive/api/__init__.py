"""The JSON API door (/api/v1); archive.app composes it with the web pages."""

from archive.api.app import install_api

__all__ = ["install_api"]
