"""Helpers shared by the tests (and by bench/, which imports them by path).

- :mod:`support.paths`: where the repository's parts are (``ROOT``, the example queries).
- :mod:`support.apps`: apps from ``create_app`` with the tests' settings, closed at teardown.
- :mod:`support.servers`: our app under gunicorn on a free loopback port: start, wait, stop.
- :mod:`support.processes`: what ``/proc`` says about processes (children, groups, memory).
- :mod:`support.stores`: stores written for the tests (a built bundled store, copies, graphs).
- :mod:`support.sample` and :mod:`support.ld`: the data of the small sample and linked-data stores.
- :mod:`support.rdf`: reading responses as graphs, comparing graphs and answers of two stores.
- :mod:`support.virtuoso`: a private Virtuoso (``scripts/virtuoso.sh``) on a free loopback port.
- :mod:`support.writes`: the updates the write tests send.

The pytest fixtures themselves live in ``tests/conftest.py`` (one instance each per session or
module, whatever test module asks for them); these modules are plain functions and data. A test
module imports them as ``from support.x import y``: pytest puts ``tests/`` on ``sys.path``
(the folder of the rootdir ``conftest.py``, as it has no ``__init__.py``); bench scripts insert
it themselves. :mod:`support.paths`, :mod:`support.servers` and :mod:`support.processes` need
nothing but the standard library, so the benchmarks can use them without pytest.
"""
