"""Supervision pages, one module per concern: ``inspections`` (overview, plans, calendar, inspections,
findings), ``orders`` (orders and sanctions), ``assessments`` (assessments, referrals, interviews, files);
``common`` what they share. Steps on a record are ``actions``."""
