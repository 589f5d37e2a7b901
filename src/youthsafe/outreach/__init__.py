"""Education and outreach: online campaigns, school lectures, parents' meetings, brochures, media posts."""
