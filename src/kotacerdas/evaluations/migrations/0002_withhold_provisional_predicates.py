"""Stored results keep no predicate that their pack's bands do not make official.

Results computed before predicates followed ``scoring.predicates`` stored the label of a provisional
band (kominfo-2021: 3.0 and above "Sangat Baik"). Every reader already withholds it; this clears the
stored label as well, so no screen or export written later can show it by reading the column. Index,
dimensions, trace, pack version and digest are untouched; the cleared labels are kept in one audit
event per pack version.
"""

from django.db import migrations


def withhold(apps, schema_editor):
    from kotacerdas.scoring.packs import PackNotFound, get_pack
    from kotacerdas.scoring.predicates import bands_official, predicate_status

    Result = apps.get_model("evaluations", "Result")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    labelled = Result._default_manager.exclude(predicate="").order_by()
    for code, version in sorted(set(labelled.values_list("pack_code", "pack_version"))):
        try:
            pack = get_pack(code, version)
        except PackNotFound:
            pack = None
        if bands_official(pack):
            continue
        rows = list(labelled.filter(pack_code=code, pack_version=version).values_list("pk", "predicate"))
        Result._default_manager.filter(pk__in=[pk for pk, _ in rows]).update(predicate="")
        AuditEvent._default_manager.create(
            action="evaluations.withhold_predicates", object_type="scoring.pack", object_id=f"{code}@{version}",
            from_state=predicate_status(pack), to_state="",
            reason="Rentang predikat paket ini tidak resmi: predikat tidak diterbitkan / the pack's predicate "
                   "bands are not official: no predicate is published",
            data={"results": len(rows), "cleared": {str(pk): label for pk, label in rows}},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_apitoken"),
        ("evaluations", "0001_initial"),
    ]

    operations = [migrations.RunPython(withhold, migrations.RunPython.noop)]
