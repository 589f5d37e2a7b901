"""Every change to supervision records is one ``do_*`` call declared with ``core.kernel.service``: permission,
jurisdiction, transition with its history, audit row, commit (style-anchors rule 3). The submodules hold one
aggregate each."""
