"""The ``rempart`` console command: the Rust CLI itself, run inside this process."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import _native


def main(argv: Optional[List[str]] = None) -> None:
    args = ["rempart", *(sys.argv[1:] if argv is None else argv)]
    sys.stdout.flush()
    sys.exit(_native.cli(args))


if __name__ == "__main__":
    main()
