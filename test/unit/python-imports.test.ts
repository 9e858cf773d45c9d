// What the static reading of a Python program's imports sees, and what it leaves alone. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pythonImports } from "../../src/trace/python-imports.js";

const modules = (text: string) => pythonImports(text).map((i) => `${i.module}${i.optional ? "?" : ""}@${i.line}`);

test("import and from, several names, aliases, dotted names, semicolons", () => {
  assert.equal(modules("import os, sys as system\nimport xml.etree.ElementTree as ET; import json\nfrom urllib.parse import urlparse, quote\n"), ["os@1", "sys@1", "xml.etree.ElementTree@2", "json@2", "urllib.parse@3"]);
});

test("relative imports: from .m is the program's to have, from . import a name may be a name", () => {
  assert.equal(modules("from .models import User\nfrom ..util.text import slug\nfrom . import views\n"), [".models@1", "..util.text@2", ".views?@3"]);
});

test("strings and comments hold no import; continued lines are one statement", () => {
  const text = ['"""', "import not_this", '"""', "x = 'import nor_this'  # import nor_that", "from collections import (", "    OrderedDict,", "    defaultdict,", ")", "import a, \\", "    b", ""].join("\n");
  assert.equal(modules(text), ["collections@5", "a@9", "b@9"]);
});

test("imports inside try: and under if TYPE_CHECKING: are optional; a block ends where its indentation does", () => {
  const text = [
    "try:",
    "    import ujson as json",
    "except ImportError:",
    "    import json",
    "import yaml",
    "from typing import TYPE_CHECKING",
    "if TYPE_CHECKING:",
    "    from mypy_extensions import Arg",
    "def main():",
    "    import requests",
    "    try:",
    "        import orjson",
    "    finally:",
    "        pass",
    "    import toml",
    "",
  ].join("\n");
  assert.equal(modules(text), ["ujson?@2", "json?@4", "yaml@5", "typing@6", "mypy_extensions?@8", "requests@10", "orjson?@12", "toml@15"]);
});

test("from __future__ is no module to find", () => {
  assert.equal(modules("from __future__ import annotations\nimport os\n"), ["os@2"]);
});

test.run();
