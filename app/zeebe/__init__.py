"""The Zeebe engine adapter: the only package that imports pyzeebe."""

from app.zeebe.service import ZeebeService

__all__ = ["ZeebeService"]
