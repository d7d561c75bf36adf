"""Defects of a process or decision table in the user's language.

The engine describes each defect it finds in a diagram (``ProcessProblem``/``DraftProblem``) with
an English sentence plus a ``code`` and its ``args``; this module says the same in Italian for the
designer's pages and scripts. English mode keeps the engine's sentence; a code without an Italian
text (a new check) falls back to it too, so nothing is ever hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.i18n import english

ITALIAN: dict[str, str] = {
    # BPMN files
    "bpmn.lane_role": "la corsia «{lane}» non è un ruolo conosciuto",
    "bpmn.task_lane": "l'attività utente non sta in nessuna corsia: nessun ruolo può completarla",
    "bpmn.task_property": "la proprietà {property}={value!r} non è un numero intero",
    "bpmn.engine_data": "engineData «{value}» non è un dato che il motore calcola ({known})",
    "bpmn.case_action": "la proprietà {property}=«{value}» non è un campo del modulo dell'attività",
    "bpmn.task_form_key": "l'attività utente non indica il modulo (proprietà formKey)",
    "bpmn.task_form": "il modulo «{form}» non esiste fra i moduli dell'applicazione",
    "bpmn.timer": "il timer «{timer}» non è una durata ISO-8601 (es. P30D)",
    "bpmn.reserved_id": "l'identificativo «{id}» è riservato al motore: cambialo",
    "bpmn.call": "l'attività di chiamata richiama un processo che non esiste: «{process}»",
    "bpmn.gateway": "il gateway esclusivo non ha un flusso predefinito e ha flussi senza condizione: {flows}",
    "bpmn.sandbox": "codice rifiutato dall'ambiente protetto degli script: {detail}",
    "bpmn.unknown_variable": (
        "legge «{variable}», che nessun modulo, script, decisione, messaggio, evento o dato iniziale fornisce"
    ),
    # DMN decision tables
    "dmn.hit_policy": "la politica di risposta {policy} non è gestita dal motore (agirebbe come FIRST)",
    "dmn.aggregation": "l'aggregazione {aggregation} non è gestita dal motore (restituisce l'elenco)",
    "dmn.allowed_values": "i valori ammessi di «{input}» non sono un elenco di valori semplici",
    "dmn.input_expression_missing": "l'ingresso «{input}» non ha un'espressione: il motore non sa che valore esaminare",
    "dmn.input_expression": "l'espressione dell'ingresso «{input}» è rifiutata dall'ambiente protetto: {detail}",
    "dmn.cell_blank": "la cella di «{input}» contiene solo spazi: scrivi - (qualsiasi valore) senza spazi",
    "dmn.feel": "la cella «{cell}» è scritta in FEEL, che il motore non capisce: scrivi «{hint}»",
    "dmn.cell_spaces": "la cella «{cell}» inizia con spazi, che il motore rifiuta",
    "dmn.cell_syntax": "la cella «{cell}» non è né un valore né un confronto che il motore sa valutare",
    "dmn.cell_glued": "la cella «{cell}» è attaccata all'espressione d'ingresso: scrivi «{hint}»",
    "dmn.cell_sandbox": "la cella «{cell}» è rifiutata dall'ambiente protetto: {detail}",
    "dmn.cell_type": "{value} nella cella «{cell}» non è del tipo {type}",
    "dmn.cell_value": "{value} non è fra i valori che «{input}» può assumere: {allowed}",
    "dmn.output_syntax": "l'uscita «{cell}» non è un'espressione che il motore sa valutare: {detail}",
    "dmn.output_type": "l'uscita «{cell}» non è del tipo {type}",
    "dmn.rule_unreachable": "la regola {rule} non si applica mai: la regola {other} viene prima e copre i suoi casi",
    "dmn.rule_overlap": "le regole {other} e {rule} possono valere insieme con la politica UNIQUE, ad es. {example}",
    "dmn.table_gap": "nessuna regola risponde ad alcuni ingressi, ad es. {example}",
    "dmn.test_value": "prova {test}: il valore di «{name}» non è JSON: {value}",
    "dmn.test_unknown_input": "la prova {test} indica l'ingresso «{name}», che la tabella non legge",
    "dmn.test_id": "l'identificativo di prova «{test}» manca o è usato due volte",
    "dmn.test_unknown_output": "la prova {test} si aspetta «{name}», che non è un'uscita della tabella",
    "dmn.test_empty": "la prova {test} non si aspetta nulla",
    # the outputs expected and obtained are shown in Italian in the table of the decision tests
    "dmn.test_failed": "il test decisionale «{name}» ({article}) non passa: vedi i risultati dei test",
}


def problem_text(problem: Any) -> str:
    """The defect as a sentence in the page's language (a problem object or its dict)."""
    get = problem.get if isinstance(problem, Mapping) else lambda k, d=None: getattr(problem, k, d)
    message = str(get("message", "") or "")
    template = ITALIAN.get(str(get("code", "") or ""))
    if english() or template is None:
        return message
    try:
        return template.format(**(get("args", None) or {}))
    except (KeyError, IndexError, ValueError):
        return message  # the engine changed a check's particulars: its own sentence is still right


def located(problem: Any) -> str:
    """``file:line [element]: sentence``, as ``str(ProcessProblem)`` but in the page's language."""
    get = problem.get if isinstance(problem, Mapping) else lambda k, d=None: getattr(problem, k, d)
    where = ":".join(str(p) for p in (get("file", ""), get("line", None)) if p)
    element = f" [{get('element', '')}]" if get("element", "") else ""
    text = problem_text(problem)
    return f"{where}{element}: {text}" if where or element else text
