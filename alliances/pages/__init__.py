"""The alliances' pages, one module a part of the capability."""
