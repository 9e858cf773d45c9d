"""greet: a small application, copied into the image as a directory."""

__version__ = "1.0"
