"""Events that features send and others listen to, so that no feature imports another's
services (Indico's blinker signals). Receivers run inside the sender's transaction."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Resident; kwargs: actor (User or None), changed_fields (list[str])
resident_created = _signals.signal("resident-created")
resident_viewed = _signals.signal("resident-viewed")
resident_updated = _signals.signal("resident-updated")
#: sent before the row is deleted, while its id and organisation are still known
resident_deleted = _signals.signal("resident-deleted")
