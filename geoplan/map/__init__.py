"""The planner's map: offline Leaflet pages of a plan's features, by theme and task.

One element per module, modelled on folium's plugins; :func:`render_map` puts
them together.
"""

from geoplan.map.render import render_map

__all__ = ["render_map"]
