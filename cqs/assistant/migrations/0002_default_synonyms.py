"""Load the shipped synonym list (fixtures/default_synonyms.json) into a fresh database.

Data migrations never import app code: the JSON is read here and normalised with the
standard library only (NFC, lower case, punctuation to spaces), as the services do.
`manage.py load_assistant_defaults` adds entries shipped later, idempotently.
"""

import json
import re
import unicodedata
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "default_synonyms.json"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _normalise(text):
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", text).lower()))


def load(apps, schema_editor):
    Synonym = apps.get_model("assistant", "Synonym")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    existing = set(Synonym.objects.values_list("term", flat=True))
    for term, expansions in data.items():
        key = _normalise(term)
        if key and key not in existing:
            Synonym.objects.create(
                term=key, expansions=[_normalise(e) for e in expansions if _normalise(e)]
            )
            existing.add(key)


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
