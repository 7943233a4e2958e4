"""The embedded local AWS (moto in server mode plus our overlay and control plane)."""

from .local_aws import LocalAws

__all__ = ["LocalAws"]
