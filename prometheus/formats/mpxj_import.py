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
    from org.mpxj.reader import UniversalProjectReader

    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "upload")
        with open(source, "wb") as f:
            f.write(data)
        try:
            project = UniversalProjectReader().read(source)
        except Exception as exc:  # noqa: BLE001 - MPXJ raises Java exceptions of many kinds
            raise ValidationFailed(f"MPXJ cannot read this file: {exc}") from None
    if project is None:
        raise ValidationFailed("MPXJ does not recognise this file's format")
    return from_project(project, name)


def from_project(project, name: str | None) -> PlanDocument:  # noqa: ANN001 - an org.mpxj.ProjectFile
    """MPXJ's project in the portable form: written as MSPDI (with the assignments' work by period: split
    tasks, contours) and read back. A task of another project (a cross-project link's predecessor, which
    MPXJ's writer leaves out as Project's own XML does) is kept as a manual task at the dates the file
    gives it, so that its successors still wait for it."""
    from org.mpxj import TaskMode
    from org.mpxj.mspdi import MSPDIWriter

    for task in project.getTasks():
        if task.getExternalTask():
            task.setExternalTask(False)
            task.setTaskMode(TaskMode.MANUALLY_SCHEDULED)
    writer = MSPDIWriter()
    writer.setWriteTimephasedData(True)
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "converted.xml")
        writer.write(project, target)
        with open(target, "rb") as f:
            return read_mspdi(f.read(), name)
