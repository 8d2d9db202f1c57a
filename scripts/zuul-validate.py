"""Checks a Zuul project configuration with Zuul's own loader and schemas, offline.

    zuul-validate.py FILE...

Loads each file as Zuul does (its YAML loader refuses duplicate keys and knows !encrypted/pkcs1-oaep)
and checks every stanza against the schema Zuul's configuration loader applies to it, so an unknown
key, a wrong type or a missing required field fails here as it would in the tenant. What only a live
tenant knows (parent jobs, nodesets, secrets and pipelines of other projects) is not checked.
Exits 1 with Zuul's messages on the first file with errors.
"""

import sys

import voluptuous as vs
from zuul import configloader, model

PROJECT = "SovereignCloudStack/terraform-provider-scs"


def parser(cls, *args):
    # The schemas do not depend on a tenant; skipping __init__ avoids building one.
    p = cls.__new__(cls)
    p.pcontext = None
    p.anonymous = False
    return p.getSchema(*args) if hasattr(cls, "getSchema") else cls.schema


SCHEMAS = {
    "job": lambda: configloader.JobParser.schema,
    "project": lambda: parser(configloader.ProjectParser),
    "project-template": lambda: parser(configloader.ProjectTemplateParser),
    "secret": lambda: parser(configloader.SecretParser),
    "nodeset": lambda: parser(configloader.NodeSetParser, False),
    "semaphore": lambda: parser(configloader.SemaphoreParser),
    "queue": lambda: parser(configloader.QueueParser),
    "pragma": lambda: configloader.PragmaParser.schema,
}


def check(path):
    context = model.SourceContext(f"github.com/{PROJECT}", PROJECT, "github", "main", path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    errors = []
    try:
        data = configloader.safe_load_yaml(text, context)
    except Exception as e:  # Zuul's loader raises its own YAML and duplicate-key errors
        return [f"{path}: {e}"]
    if not isinstance(data, list):
        return [f"{path}: a Zuul configuration is a list of stanzas, not {type(data).__name__}"]
    for i, item in enumerate(data):
        if not isinstance(item, dict) or len(item) != 1:
            errors.append(f"{path}: stanza {i + 1}: each stanza is a mapping with one key")
            continue
        (kind, body), = item.items()
        schema = SCHEMAS.get(str(kind))
        if schema is None:
            errors.append(f"{path}: stanza {i + 1}: unknown stanza type {kind!r}")
            continue
        try:
            schema()(body)
        except vs.Invalid as e:
            name = body.get("name", "") if isinstance(body, dict) else ""
            errors.append(f"{path}: {kind} {name}: {e}")
    return errors


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        errors = check(path)
        for e in errors:
            print(e, file=sys.stderr)
        if errors:
            failed = True
        else:
            print(f"{path}: valid Zuul configuration")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
