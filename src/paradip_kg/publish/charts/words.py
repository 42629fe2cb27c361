"""The charts' words in Spanish and English: scopes, column heads, regions."""

from __future__ import annotations

from paradip_kg import i18n
from paradip_kg.publish.charts.queries import INTERNATIONAL, NATIONAL, UNSTATED

REGIONS: dict[str, i18n.Pair] = {
    "north-america": ("América del Norte", "North America"),
    "central-america": ("América Central", "Central America"),
    "south-america": ("América del Sur", "South America"),
    "europe": ("Europa", "Europe"),
    "asia": ("Asia", "Asia"),
    "unassigned": ("Región sin asignar", "Region not assigned"),
}

WORDS: dict[str, i18n.Pair] = {
    NATIONAL: ("Nacional", "National"),
    INTERNATIONAL: ("Internacional", "International"),
    UNSTATED: ("Ámbito no indicado", "Scope not stated"),
    "agreements": ("Acuerdos", "Agreements"),
    "year": ("Año", "Year"),
    "total": ("Total", "Total"),
    "cumulative": ("Acumulado", "Running total"),
    "country": ("País", "Country"),
    "region": ("Región", "Region"),
    "scope": ("Ámbito", "Scope"),
    "share": ("Proporción", "Share"),
    "theme": ("Tema", "Theme"),
    "goal": ("Objetivo de Desarrollo Sostenible", "Sustainable Development Goal"),
    "partner": ("Contraparte", "Partner"),
    "party": ("Parte", "Party"),
    "placed": ("En el mapa", "On the map"),
    "placed-coordinates": ("en sus coordenadas", "at its coordinates"),
    "placed-country": ("en el centro de su país", "at its country's centre"),
    "placed-none": ("no está (sin país ni coordenadas)", "not shown (no country, no coordinates)"),
    "since": ("Desde", "Since"),
    "no country": ("País no indicado", "Country not stated"),
    "undated": ("sin fecha", "undated"),
}


def word(key: str, lang: str) -> str:
    return i18n.text(WORDS[key], lang)


def hubs_note(hubs: int, total: int, lang: str) -> str | None:
    if not hubs:
        return None
    return i18n.text((f"El grafo tiene {total} acuerdos: aquí se dibujan los de los {hubs} gobiernos con más acuerdos "
                      "(los demás gráficos los cuentan todos). Elija un municipio arriba para ver los suyos.",
                      f"The graph has {total} agreements: drawn here are those of the {hubs} governments with the "
                      "most agreements (the other charts count them all). Choose a municipality above to see its "
                      "own."), lang)
