"""YouthSafe: a work platform for the people who protect minors online."""

__version__ = "0.1.0"
