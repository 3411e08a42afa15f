# Subject access requests are not in the admin: they name the people they are about and
# hold their gathered records, so they are read only on the request's own pages, where
# every look is recorded. Nothing here is configuration.
