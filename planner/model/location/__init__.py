"""Classic discrete location models on any cost / distance matrix, solved exactly.

Every function takes a matrix indexed ``[customer, site]`` (``n`` customers x ``m`` candidate sites) and
returns a :class:`LocationSolution`. Conventions shared by all models:

* ``must_open``: sites that must be opened (their fixed cost is paid); ``forbidden``: sites that may not be
  opened; ``existing``: sites already open (counted as open, no fixed cost). Each is a sequence of site
  indices or a boolean mask of length ``m``.
* A ``+inf`` entry in the matrix means "this customer cannot be served from this site" (e.g. unreachable on
  the network); NaN is an error.
* ``p`` (p-median, p-center, maximal covering) counts ALL open sites, existing and must-open ones included.
* ``budget`` (facility location, set covering): a cap on the summed fixed / site cost of the opened sites
  (existing sites cost nothing); None = no cap.
* Invalid input raises :class:`~planner.errors.ModelError` before any solver starts; an instance that is
  infeasible by inspection (a customer no allowed site can serve, too little capacity) raises
  :class:`~planner.errors.InfeasibleError` with the reasons.

Modules: :mod:`.common` (solution type, input checks, phase report), :mod:`.facility` (UFLP, CFLP),
:mod:`.pmedian` with :mod:`.heuristics`, :mod:`.lagrangian` and :mod:`.search` (the exact p-median),
:mod:`.pcenter`, :mod:`.covering` (LSCP), :mod:`.maxcover` (MCLP).

Units: costs in the caller's currency, distances in the caller's distance unit (km, minutes...), demand
and capacity in one common unit (pallets, tonnes...), times in seconds.
"""

from planner.model.location.common import LocationSolution
from planner.model.location.covering import location_set_covering
from planner.model.location.facility import capacitated_facility_location, uncapacitated_facility_location
from planner.model.location.maxcover import maximal_covering
from planner.model.location.pcenter import p_center
from planner.model.location.pmedian import p_median

__all__ = [
    "LocationSolution",
    "capacitated_facility_location",
    "location_set_covering",
    "maximal_covering",
    "p_center",
    "p_median",
    "uncapacitated_facility_location",
]
