"""METS structural map with PREMIS objects, fixity and events for a dossier package (built with lxml).

Two documents, for the two halves of a package (docs/dossier-package.md):

- `record_mets(record)` → `data/mets.xml`, part of the payload: the structMap (dossier →
  documents → files), the fileSec with each file's SHA-256 CHECKSUM, a PREMIS object with
  fixity, size and format for every file, and the events that belong to the record itself —
  each document's ingestion (its ingest date) and each archival copy's migration to PDF/A.
  Built only from record.json, so the same record gives the same bytes on every instance;
  no creation date (that is bag-info.txt's Bagging-Date).
- `custody_events(...)` → `provenance/events.xml`, a tag file: what one instance did while it
  held the record (transfers between units, fixity checks, imports, this export), dated, with
  the agent who did it. mets.xml points at it with an mdRef.

The XML is checked for structure by tests (element paths, ids, checksums); the METS and
PREMIS XSDs are not validated against here: they are not shipped by any package we use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from lxml import etree

from archive.services.dossier_package_record import DossierRecord, FilePart

METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"mets": METS, "premis": PREMIS, "xlink": XLINK, "xsi": XSI}
SOFTWARE = "cbccvc-archive"
CUSTODY_HREF = "../provenance/events.xml"

# audit actions → PREMIS event types (id.loc.gov/vocabulary/preservation/eventType)
EVENT_TYPES = {
    "document.upload": "ingestion",
    "staff.create": "creation",
    "staff.transfer": "transfer",
    "dossier.import": "ingestion",
    "dossier.export": "transfer",
}


def _m(tag: str) -> str:
    return f"{{{METS}}}{tag}"


def _p(tag: str) -> str:
    return f"{{{PREMIS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, {k.replace("__", ":"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _href(el: etree._Element, href: str) -> None:
    el.set(f"{{{XLINK}}}href", href)


def _when(at: datetime) -> str:
    return at.isoformat(timespec="seconds") + "Z"


def _premis_object(parent: etree._Element, f: FilePart, *, original_name: str | None = None,
                   derived_from: str | None = None) -> None:
    obj = _sub(parent, _p("object"))
    obj.set(f"{{{XSI}}}type", "premis:file")
    ident = _sub(obj, _p("objectIdentifier"))
    _sub(ident, _p("objectIdentifierType"), "sha256")
    _sub(ident, _p("objectIdentifierValue"), f.sha256)
    chars = _sub(obj, _p("objectCharacteristics"))
    fixity = _sub(chars, _p("fixity"))
    _sub(fixity, _p("messageDigestAlgorithm"), "SHA-256")
    _sub(fixity, _p("messageDigest"), f.sha256)
    _sub(chars, _p("size"), str(f.size))
    fmt = _sub(_sub(chars, _p("format")), _p("formatDesignation"))
    _sub(fmt, _p("formatName"), f.content_type)
    if original_name:
        _sub(obj, _p("originalName"), original_name)
    if derived_from:
        rel = _sub(obj, _p("relationship"))
        _sub(rel, _p("relationshipType"), "derivation")
        _sub(rel, _p("relationshipSubType"), "is derived from")
        related = _sub(rel, _p("relatedObjectIdentifier"))
        _sub(related, _p("relatedObjectIdentifierType"), "sha256")
        _sub(related, _p("relatedObjectIdentifierValue"), derived_from)


def _premis_event(parent: etree._Element, *, ident: str, kind: str, at: datetime, detail: str, agent: str,
                  agent_type: str = "software", objects: Iterable[str] = (), outcome: str = "success") -> None:
    ev = _sub(parent, _p("event"))
    eid = _sub(ev, _p("eventIdentifier"))
    _sub(eid, _p("eventIdentifierType"), "local")
    _sub(eid, _p("eventIdentifierValue"), ident)
    _sub(ev, _p("eventType"), kind)
    _sub(ev, _p("eventDateTime"), _when(at))
    _sub(_sub(ev, _p("eventDetailInformation")), _p("eventDetail"), detail)
    _sub(_sub(ev, _p("eventOutcomeInformation")), _p("eventOutcome"), outcome)
    ag = _sub(ev, _p("linkingAgentIdentifier"))
    _sub(ag, _p("linkingAgentIdentifierType"), agent_type)
    _sub(ag, _p("linkingAgentIdentifierValue"), agent)
    for sha in objects:
        ob = _sub(ev, _p("linkingObjectIdentifier"))
        _sub(ob, _p("linkingObjectIdentifierType"), "sha256")
        _sub(ob, _p("linkingObjectIdentifierValue"), sha)


def _in_data(path: str) -> str:
    return path.removeprefix("data/")  # hrefs are relative to data/mets.xml


def record_mets(record: DossierRecord, *, record_sha256: str) -> bytes:
    """data/mets.xml for `record` (deterministic: only what record.json holds)."""
    staff = record.staff
    root = etree.Element(_m("mets"), nsmap=NSMAP, OBJID=staff.code, TYPE="dossier", LABEL=staff.full_name,
                         PROFILE="cbccvc-dossier-package/1")
    hdr = _sub(root, _m("metsHdr"), RECORDSTATUS="complete")
    agent = _sub(hdr, _m("agent"), ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _sub(agent, _m("name"), SOFTWARE)

    dmd = _sub(root, _m("dmdSec"), ID="dmd-record")
    ref = _sub(dmd, _m("mdRef"), LOCTYPE="URL", MDTYPE="OTHER", OTHERMDTYPE="cbccvc-dossier-record/1",
               MIMETYPE="application/json", CHECKSUM=record_sha256, CHECKSUMTYPE="SHA-256")
    _href(ref, "record.json")

    amd = _sub(root, _m("amdSec"), ID="amd-record")
    custody = _sub(amd, _m("digiprovMD"), ID="prov-custody")
    ref = _sub(custody, _m("mdRef"), LOCTYPE="URL", MDTYPE="PREMIS:EVENT", MIMETYPE="text/xml",
               LABEL="custody events of each instance that held the record (tag file, outside the payload)")
    _href(ref, CUSTODY_HREF)
    agent_md = _sub(amd, _m("digiprovMD"), ID="prov-agent")
    xml = _sub(_sub(agent_md, _m("mdWrap"), MDTYPE="PREMIS:AGENT"), _m("xmlData"))
    pa = _sub(xml, _p("agent"))
    aid = _sub(pa, _p("agentIdentifier"))
    _sub(aid, _p("agentIdentifierType"), "software")
    _sub(aid, _p("agentIdentifierValue"), SOFTWARE)
    _sub(pa, _p("agentName"), SOFTWARE)
    _sub(pa, _p("agentType"), "software")

    for d in record.documents:
        n = f"{d.number:03d}"
        tech = _sub(amd, _m("techMD"), ID=f"tech-o-{n}")
        _premis_object(_sub(_sub(tech, _m("mdWrap"), MDTYPE="PREMIS:OBJECT"), _m("xmlData")), d.original,
                       original_name=d.file_name)
        prov = _sub(amd, _m("digiprovMD"), ID=f"prov-o-{n}")
        _premis_event(_sub(_sub(prov, _m("mdWrap"), MDTYPE="PREMIS:EVENT"), _m("xmlData")),
                      ident=f"ingest-{n}", kind="ingestion", at=d.created_at, agent=SOFTWARE,
                      detail=f"tiếp nhận tài liệu {d.file_name}", objects=[d.original.sha256])
        if d.archival is not None:
            tech = _sub(amd, _m("techMD"), ID=f"tech-a-{n}")
            _premis_object(_sub(_sub(tech, _m("mdWrap"), MDTYPE="PREMIS:OBJECT"), _m("xmlData")), d.archival,
                           derived_from=d.original.sha256)
            prov = _sub(amd, _m("digiprovMD"), ID=f"prov-a-{n}")
            _premis_event(_sub(_sub(prov, _m("mdWrap"), MDTYPE="PREMIS:EVENT"), _m("xmlData")),
                          ident=f"migration-{n}", kind="migration", at=d.archival.created_at, agent=SOFTWARE,
                          detail=f"bản lưu trữ {d.archival.params}",
                          objects=[d.original.sha256, d.archival.sha256])

    file_sec = _sub(root, _m("fileSec"))
    groups = {"original": _sub(file_sec, _m("fileGrp"), USE="original")}
    if any(d.archival for d in record.documents):
        groups["archival"] = _sub(file_sec, _m("fileGrp"), USE="archival")
    for d in record.documents:
        n = f"{d.number:03d}"
        for use, f, letter in (("original", d.original, "o"), ("archival", d.archival, "a")):
            if f is None:
                continue
            el = _sub(groups[use], _m("file"), ID=f"f-{letter}-{n}", MIMETYPE=f.content_type, SIZE=str(f.size),
                      CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256", ADMID=f"tech-{letter}-{n} prov-{letter}-{n}")
            _href(_sub(el, _m("FLocat"), LOCTYPE="URL"), _in_data(f.path))

    smap = _sub(root, _m("structMap"), TYPE="logical")
    top = _sub(smap, _m("div"), TYPE="dossier", LABEL=f"{staff.full_name} ({staff.code})", DMDID="dmd-record",
               ADMID="prov-custody prov-agent")
    for d in record.documents:
        n = f"{d.number:03d}"
        div = _sub(top, _m("div"), TYPE="document", ORDER=str(d.number), LABEL=d.file_name)
        div.set("CONTENTIDS", d.document_type)
        _sub(div, _m("fptr"), FILEID=f"f-o-{n}")
        if d.archival is not None:
            _sub(div, _m("fptr"), FILEID=f"f-a-{n}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def custody_events(entries: list[dict], *, organization: str, exported_at: datetime, exporter: str) -> bytes:
    """provenance/events.xml: PREMIS events from this instance's audit entries for the record, and the
    export itself (a transfer out)."""
    root = etree.Element(_p("premis"), nsmap={None: PREMIS, "xsi": XSI}, version="3.0")
    for e in entries:
        kind = EVENT_TYPES.get(e["action"])
        if kind is None and "fixity" in e["action"]:
            kind = "fixity check"
        if kind is None:
            continue
        details = e.get("details") or {}
        objects = [details["sha256"]] if isinstance(details.get("sha256"), str) else []
        outcome = "failure" if details.get("ok") is False else "success"
        _premis_event(root, ident=f"audit-{e['seq']}", kind=kind, at=datetime.fromisoformat(e["at"].rstrip("Z")),
                      detail=f"{e['action']} ({organization})", agent=e["actor"], agent_type="user",
                      objects=objects, outcome=outcome)
        if e["action"] == "dossier.import":  # every checksum of the bag was verified before the import
            _premis_event(root, ident=f"audit-{e['seq']}-fixity", kind="fixity check",
                          at=datetime.fromisoformat(e["at"].rstrip("Z")), agent=e["actor"], agent_type="user",
                          detail=f"kiểm tra mã SHA-256 của gói {details.get('package', '')} ({organization})")
    _premis_event(root, ident="export", kind="transfer", at=exported_at, agent=exporter, agent_type="user",
                  detail=f"xuất gói hồ sơ từ {organization}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
