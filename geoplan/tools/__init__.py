"""Small stand-alone helpers: coordinate datum shifts (:mod:`geoplan.tools.coords`)."""
