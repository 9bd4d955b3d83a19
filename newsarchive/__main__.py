"""python -m newsarchive: the same as the newsarchive command."""

from .cli import main

main()
