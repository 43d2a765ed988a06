"""The Zeebe engine adapter: the only package that imports pyzeebe."""

from app.engines.zeebe.service import ZeebeService

__all__ = ["ZeebeService"]
