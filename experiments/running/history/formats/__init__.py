"""One parser per export format (`base.Parser`); `registry` detects a file's format."""
