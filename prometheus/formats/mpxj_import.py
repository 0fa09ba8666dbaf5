"""Every other format MPXJ reads (.mpp, .mpx, Primavera .xer, GanttProject .gan, Planner, ...): MPXJ turns
the file into MSPDI, which we read. Needs the `mpxj` extra and Java 17+."""

from __future__ import annotations

import os
import shutil
import tempfile

from prometheus.core.documents import PlanDocument
from prometheus.errors import ServiceUnavailable, ValidationFailed
from prometheus.formats.mspdi import read_mspdi


def read_with_mpxj(data: bytes, name: str | None) -> PlanDocument:
    try:
        import jpype
        import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)
    except ImportError:
        raise ServiceUnavailable(
            "reading this format needs MPXJ: pip install 'prometheus-planning[oracle]' and Java 17"
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ServiceUnavailable("reading this format needs Java 17 or newer on the server")
    if not jpype.isJVMStarted():
        jpype.startJVM("-Xmx1g")
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "upload")
        target = os.path.join(tmp, "converted.xml")
        with open(source, "wb") as f:
            f.write(data)
        try:
            project = UniversalProjectReader().read(source)
        except Exception as exc:  # noqa: BLE001 - MPXJ raises Java exceptions of many kinds
            raise ValidationFailed(f"MPXJ cannot read this file: {exc}") from None
        if project is None:
            raise ValidationFailed("MPXJ does not recognise this file's format")
        writer = MSPDIWriter()
        writer.setWriteTimephasedData(True)  # assignments' work by period: split tasks, contours
        writer.write(project, target)
        with open(target, "rb") as f:
            return read_mspdi(f.read(), name)
