"""Apache Jena SHACL from Debian's libapache-jena-java: the classpath that starts it.

Shared by tests/test_crosscheck.py (Jena as one of the engines pySHACL is compared with) and
bench/bench_world_validate.py (Jena as the baseline of the full-validation figures).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

INSTALL_HINT = "install the cross-check engines with scripts/test-deps.sh (make test runs it)"
# Jars of Debian's libapache-jena-java that Jena SHACL needs (a wildcard classpath does not start).
JENA_JARS = ("jena-arq", "jena-base", "jena-core", "jena-dboe-base", "jena-iri", "jena-shacl", "commons-cli",
             "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3", "dexx.collection",
             "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind", "jackson-annotations",
             "jsonld-java", "jakarta.json-api", "protobuf", "slf4j-api", "slf4j-nop", "thrift", "titanium-json-ld")


def jena_classpath(tmp: Path) -> str:
    """Debian's Jena jars plus the message bundles they lack, written under ``tmp``.

    Raises:
        RuntimeError: java, dpkg or the package (or one of its jars) is missing; says how to install.
    """
    if shutil.which("java") is None or shutil.which("dpkg") is None:
        raise RuntimeError(f"Apache Jena SHACL needs java and Debian's libapache-jena-java: {INSTALL_HINT}")
    listing = subprocess.run(["dpkg", "-L", "libapache-jena-java"], capture_output=True, text=True, check=False)
    jars = [line for line in listing.stdout.splitlines() if line.endswith("/jena-shacl.jar")]
    if listing.returncode != 0 or not jars:
        raise RuntimeError(f"Debian's libapache-jena-java is not installed: {INSTALL_HINT}")
    folder = Path(jars[0]).parent
    missing = [j for j in JENA_JARS if not (folder / f"{j}.jar").exists()]
    if missing:
        raise RuntimeError(f"libapache-jena-java lacks {', '.join(missing)} in {folder}: {INSTALL_HINT}")
    # Debian moved Jena's shaded Xerces classes to the package xerces.* but left their message
    # bundles under org/apache/jena/ext/xerces/; without them at the new place every run dies
    # with "ExceptionInInitializerError ... XSSimpleTypeDecl". Put them back, beside the jars.
    overlay = tmp / "jena-xerces-overlay"
    prefix = "org/apache/jena/ext/"
    with zipfile.ZipFile(folder / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix + "xerces/impl/") and name.endswith(".properties"):
                target = overlay / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([str(folder / f"{j}.jar") for j in JENA_JARS] + [str(overlay)])
