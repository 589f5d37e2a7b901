"""Django project core: settings, accounts, roles and permissions, jurisdictions, audit log."""
