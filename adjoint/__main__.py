"""`python -m adjoint show FILE.py:FUNCTION` is the `adjoint` command."""
import sys

from .cli import main

sys.exit(main())
