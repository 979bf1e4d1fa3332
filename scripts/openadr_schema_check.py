#!/usr/bin/env python3
"""Checks OpenADR documents against the 2.0b XML schema, with the validator openleadr uses on
every message its VTN receives.

    python3 scripts/openadr_schema_check.py FILE.xml...

Prints one JSON line per file: {"file": ..., "valid": true} or {"file": ..., "valid": false,
"error": ...}; exits 0 when all are valid, 1 otherwise.
"""
import json
import sys

from lxml import etree
from openleadr.messaging import validate_xml_schema


def main():
    ok = True
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            content = f.read()
        try:
            validate_xml_schema(content)
            print(json.dumps({"file": path, "valid": True}))
        except etree.XMLSyntaxError as error:
            ok = False
            print(json.dumps({"file": path, "valid": False, "error": str(error)}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
