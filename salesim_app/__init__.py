"""The salesim workshop app: a Mesa/Solara page that trainers run in front of a room.

The engine (:mod:`simulator`) knows nothing of it; see :mod:`salesim_app.app`.
"""
