"""Critical path scheduling in calendar time, as Microsoft Project does it: the facade of `core/cpm/`.

The network is compiled to integer arrays over the plan's leaf tasks (cpm/compile.py, read through
`CompiledNetwork`), both passes run level by level with NumPy in working minutes (cpm/passes.py, with the
link and constraint rules of cpm/rules.py), and the results, summary roll-up and critical paths are built
apart (cpm/reporting.py, cpm/results.py, cpm/paths.py).
"""

from prometheus.core.cpm import *  # noqa: F403 (the package is the one list of what it offers)
from prometheus.core.cpm import __all__ as __all__
