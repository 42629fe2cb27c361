"""The home page's charts, drawn on the server as SVG from SPARQL queries on the store.

    queries   the SPARQL SELECT of each chart (linked from the chart, runnable on /sparql)
    data      each query's rows read into a :class:`~paradip_kg.publish.charts.data.Chart`: words,
              the table that stands in for the picture, the layout; :func:`build_charts` makes them all
    layout    the drawing: positions, sizes and ticks that ``templates/_charts.html`` writes as SVG
    words     the charts' words in Spanish and English
    kept      the rows of the queries over every agreement, kept beside the store by the build

Serving them is the web's job (:mod:`paradip_kg.web.home`).
"""
