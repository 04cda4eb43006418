"""File-level rejections: a whole file that cannot be loaded, with a reason a person can act on."""

from __future__ import annotations


class FileRejected(Exception):
    """The file as a whole cannot be loaded. `code` is machine-readable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"
