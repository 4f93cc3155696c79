"""reportgen: quarterly submissions of grassroots Party organizations → statistical reports."""

__version__ = "0.1.0"
