"""The ``storylens`` command line: thin commands over ``storylens.api``."""
