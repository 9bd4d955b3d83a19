"""python -m newsarchive: the same as the newsarchive command."""

from .cli import main

# Guarded: parsing workers are started by "spawn", which imports this module
# again under another name, and must not run the command a second time.
if __name__ == "__main__":
    main()
