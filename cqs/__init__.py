"""CQS (Chính quyền số): an open-source digital-government platform for a Vietnamese province."""

__version__ = "0.1.0"
