"""The store on disk: ``disk`` (the Oxigraph folder a build writes, its manifest, counts) and
``head`` (which folder holds the newest published state, the snapshots writes publish, opening it).
"""
