"""``python -m baseform ARGS``: the same as the ``baseform`` console script."""

from baseform.cli import _entry

if __name__ == "__main__":
    _entry()
