"""Provisioning: apply the spec to a target (idempotent, ordered) and read the live state back."""

from .apply import ApplyReport, apply
from .inventory import Inventory, inventory

__all__ = ["ApplyReport", "Inventory", "apply", "inventory"]
