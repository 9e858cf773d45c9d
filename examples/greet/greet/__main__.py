import argparse
import configparser
import pathlib
import sys

from greet import __version__


def main(argv=None):
    parser = argparse.ArgumentParser(prog="greet")
    parser.add_argument("--name", default="world")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    greetings = configparser.ConfigParser()
    greetings.read(pathlib.Path(__file__).parent / "data" / "greetings.ini", encoding="utf-8")
    word = greetings.get(args.lang, "hello", fallback=greetings.get("en", "hello"))
    print(f"{word}, {args.name}! (greet {__version__}, Python {sys.version_info.major}.{sys.version_info.minor})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
