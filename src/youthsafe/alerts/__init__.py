"""Early warning: alerts from scanned posts, review queue, deadlines, dispatch across jurisdictions, outcomes."""
