"""The semester report's PDF is a function of the case data: the same data gives the same bytes
(the hash recorded at approval identifies it, and the download can render it again), only the
report's own variables count, and the funnel chart leaves suppressed stages out."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import pypdfium2

from engine import semester_pdf

STAGES = semester_pdf.FUNNEL_STAGES
DATA = {
    "territorio": "T1",
    "periodo": "2026-H1",
    "periodo_descrizione": "Primo semestre 2026",
    "data_fotografia": "2026-07-15T10:00:00+00:00",
    "cifre_monitoraggio": [
        {"prospetto": STAGES, "voce": "Persone segnalate", "valori": "Persone: 12; Persone – secondo semestre 2025: 0"},
        {
            "prospetto": STAGES,
            "voce": "Patti sottoscritti",
            "valori": "Persone: < 5; Persone – secondo semestre 2025: 0",
        },
        {"prospetto": "Indicatori comuni FSE+", "voce": "Nessun dato", "valori": "Nessuna scheda nel periodo."},
    ],
    "commento_coordinatore": "Andamento regolare.\nDa rafforzare la presa in carico.",
    "osservazioni_revisione": None,
    "data_approvazione": "2026-07-16",
    "approvata_da": "regia",
}


def _sha(data: dict[str, object]) -> str:
    return hashlib.sha256(semester_pdf.render(data)).hexdigest()


def test_same_data_same_bytes_even_in_another_process() -> None:
    here = _sha(DATA)
    assert _sha({**DATA, "esito_revisione": "APPROVATA", "revisioni": [1, 2]}) == here  # other variables: no effect
    assert _sha({**DATA, "commento_coordinatore": "Andamento regolare."}) != here
    code = f"import hashlib; from engine import semester_pdf; print(hashlib.sha256(semester_pdf.render({DATA!r})).hexdigest())"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert other == here


def test_the_text_reads_the_figures_and_the_chart_leaves_suppressed_stages_out() -> None:
    document = pypdfium2.PdfDocument(semester_pdf.render(DATA))
    text = re.sub(r"\s+", " ", " ".join(page.get_textpage().get_text_range() for page in document))
    assert "Territorio T1" in text and "Periodo Primo semestre 2026" in text and "Approvata il 16/07/2026" in text
    assert "Persone: < 5" in text and "Nessuna scheda nel periodo." in text
    assert "Da rafforzare la presa in carico." in text
    chart = semester_pdf._funnel_chart(DATA["cifre_monitoraggio"])  # type: ignore[arg-type]
    assert chart is not None
    [bars] = chart.contents[0].data
    assert list(bars) == [12]
